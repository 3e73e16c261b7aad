/** Group → gateway role and group → admin role mapping, shared by the LDAP and OIDC providers. */
import { z } from 'zod';
import { ADMIN_ROLES, type AdminRole } from '../auth/admin-roles.js';

/** Keys are group names (first RDN value) or full DNs / IdP group values; matched case-insensitively. */
export const RoleMapping = z.strictObject({
  roles: z.record(z.string().min(1).max(1024), z.array(z.string().min(1).max(64)).max(64)).default({}).describe('group → gateway roles (the roles the bundle knows)'),
  adminRoles: z.record(z.string().min(1).max(1024), z.array(z.enum(ADMIN_ROLES)).max(4)).default({}).describe('group → console admin roles'),
});
export type RoleMapping = z.output<typeof RoleMapping>;

/** The roles and admin roles of a user in `groups` (names and/or DNs), sorted and de-duplicated. */
export function mapGroups(groups: readonly string[], m: RoleMapping): { roles: string[]; adminRoles: AdminRole[] } {
  const mine = new Set(groups.map((g) => g.toLowerCase()));
  const pick = <T extends string>(table: Record<string, T[]>): T[] => {
    const out = new Set<T>();
    for (const [group, values] of Object.entries(table)) if (mine.has(group.toLowerCase())) for (const v of values) out.add(v);
    return [...out].sort();
  };
  const adminRoles = pick(m.adminRoles);
  return { roles: pick(m.roles), adminRoles: ADMIN_ROLES.filter((r) => adminRoles.includes(r)) };
}

/** The most privileged admin role (ADMIN_ROLES is ordered owner first), or undefined: no console access. */
export const strongestAdminRole = (roles: readonly string[]): AdminRole | undefined => ADMIN_ROLES.find((r) => roles.includes(r));
