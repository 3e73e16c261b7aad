/** The signed-in admin and what they may do, from the session query. */
import { useQuery } from '@tanstack/react-query';
import { sessionQuery, type AdminSession } from '../api/session-api';
import { roleCan, type AdminPermission } from './admin-permissions';

/** The current session (undefined while loading, null when signed out). */
export function useSession(): AdminSession | null | undefined {
  return useQuery(sessionQuery).data;
}

/** Whether the signed-in admin holds `permission`. */
export function useCan(permission: AdminPermission): boolean {
  return roleCan(useSession()?.role, permission);
}
