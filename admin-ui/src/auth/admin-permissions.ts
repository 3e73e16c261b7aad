/** What each admin role may change, mirroring the admin API's matrix (the API still enforces it; this only hides controls). */
import type { AdminRole } from '../api/session-api';

export type AdminPermission = 'read' | 'platform:write' | 'security:write' | 'logs:read' | 'admin:manage';

const MATRIX: Record<AdminRole, readonly AdminPermission[]> = {
  owner: ['read', 'platform:write', 'security:write', 'logs:read', 'admin:manage'],
  'security-admin': ['read', 'security:write', 'logs:read'],
  'platform-engineer': ['read', 'platform:write'],
  auditor: ['read', 'logs:read'],
};

/** Whether `role` holds `permission`. */
export const roleCan = (role: AdminRole | undefined, permission: AdminPermission): boolean => (role ? MATRIX[role].includes(permission) : false);
