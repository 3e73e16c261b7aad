/**
 * Who may do what in the admin API: four admin roles, each a set of admin permissions. Every
 * endpoint names the one permission it needs; the matrix lives here and nowhere else.
 */

export const ADMIN_ROLES = ['owner', 'security-admin', 'platform-engineer', 'auditor'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

/** Admin permissions, one per kind of change (reads are one permission: everyone may read). */
export const ADMIN_PERMISSIONS = [
  /** read any policy object, revision, sidecar, audit event */
  'read',
  /** services, routes, upstreams, CORS/security settings, sidecar credentials, publish/rollback */
  'platform:write',
  /** roles, permissions, principals, API keys, rate limits and quotas, JWT issuers, identity */
  'security:write',
  /** search and export access logs */
  'logs:read',
  /** admin users and their roles, signing-key rotation */
  'admin:manage',
] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

const MATRIX: Record<AdminRole, ReadonlySet<AdminPermission>> = {
  owner: new Set(ADMIN_PERMISSIONS),
  'security-admin': new Set(['read', 'security:write', 'logs:read']),
  'platform-engineer': new Set(['read', 'platform:write']),
  auditor: new Set(['read', 'logs:read']),
};

/** Whether an admin role holds a permission. */
export function roleAllows(role: AdminRole, permission: AdminPermission): boolean {
  return MATRIX[role].has(permission);
}

/** The caller of an admin endpoint, once authenticated. */
export interface Actor {
  /** admin username */
  username: string;
  role: AdminRole;
  /** how the caller authenticated */
  via: 'session' | 'token';
}
