/**
 * Admin users (owner only, permission `admin:manage`): `/api/v1/admin-users`. The last enabled owner
 * cannot be demoted, disabled or deleted (409). Disabling a user or changing its password ends its
 * sessions at once; a disabled user's tokens stop working too (the guard checks `disabled` per request).
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { appendAuditEvent } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';
import { deleteAdminUser, deleteSessionsOf, getAdminUser, insertAdminUser, listAdminUsers, lockEnabledOwners, updateAdminUser, type AdminUserRow } from '../store/admin-accounts-repo.js';
import { ADMIN_ROLES } from './admin-roles.js';
import type { AuthDeps } from './auth-context.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from './password-hash.js';

/** Lower-case letters, digits, `.`, `_`, `-`; starts with a letter or digit. */
export const Username = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit');
const Password = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(MAX_PASSWORD_LENGTH);
const Role = z.enum(ADMIN_ROLES);

const AdminUser = z
  .object({
    username: z.string(),
    role: Role,
    disabled: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    version: z.int().describe('also the ETag; send it as If-Match to PATCH or DELETE'),
  })
  .meta({ id: 'AdminUser' });

const CreateBody = z.object({ username: Username, password: Password, role: Role });
const PatchBody = z
  .object({ role: Role.optional(), disabled: z.boolean().optional(), password: Password.optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, 'name at least one of role, disabled, password');
const UsernameParam = z.object({ username: Username });

const EXAMPLE = { username: 'alice', role: 'security-admin', disabled: false, createdAt: '2025-01-01T12:00:00.000Z', updatedAt: '2025-01-01T12:00:00.000Z', version: 1 };

/** What the API and the audit trail show of an admin user: never the password hash. */
const view = (u: AdminUserRow) => ({
  username: u.username,
  role: u.role,
  disabled: u.disabled === 1,
  createdAt: new Date(Number(u.created_at)).toISOString(),
  updatedAt: new Date(Number(u.updated_at)).toISOString(),
  version: Number(u.version),
});

const lastOwner = (username: string) =>
  new AdminError('ADMIN_LAST_OWNER', `"${username}" is the last enabled owner; make another user owner first`, { username });

/** The admin user endpoints. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function adminUserEndpoints(d: AuthDeps): EndpointSpec<never, never, never>[] {
  const notFoundError = (username: string) => new AdminError('ADMIN_NOT_FOUND', `admin user "${username}" does not exist`);

  /** Throws 409 when `target` is the only enabled owner and the change would remove that. Call inside the transaction. */
  const keepAnOwner = async (trx: Parameters<Parameters<typeof inTransaction>[1]>[0], target: AdminUserRow): Promise<void> => {
    if (target.role !== 'owner' || target.disabled === 1) return;
    const owners = await lockEnabledOwners(trx, d.store.dialect);
    if (!owners.some((o) => o !== target.username)) throw lastOwner(target.username);
  };

  const list = endpoint({
    method: 'get',
    path: '/api/v1/admin-users',
    operationId: 'listAdminUsers',
    summary: 'List admin users',
    tags: ['admin-users'],
    access: 'admin:manage',
    responses: { 200: { description: 'All admin users', schema: z.object({ items: z.array(AdminUser) }), example: { items: [EXAMPLE] } } },
    async handler() {
      return { body: { items: (await listAdminUsers(d.store)).map(view) } };
    },
  });

  const create = endpoint<Record<string, never>, Record<string, never>, z.infer<typeof CreateBody>>({
    method: 'post',
    path: '/api/v1/admin-users',
    operationId: 'createAdminUser',
    summary: 'Create an admin user',
    description: `The password needs at least ${MIN_PASSWORD_LENGTH} characters; it is stored as a scrypt hash.`,
    tags: ['admin-users'],
    access: 'admin:manage',
    body: CreateBody,
    bodyExample: { username: 'alice', password: 'a long passphrase here', role: 'security-admin' },
    responses: { 201: { description: 'Created', schema: AdminUser, example: EXAMPLE }, 409: { description: 'The username is taken' } },
    async handler({ body, actor }) {
      const now = d.now();
      const passwordHash = await hashPassword(body.password);
      const row = await inTransaction(d.store, async (trx) => {
        if (await getAdminUser(trx, body.username)) throw new AdminError('ADMIN_USER_EXISTS', `admin user "${body.username}" already exists`);
        const r = await insertAdminUser(trx, { username: body.username, passwordHash, role: body.role }, now);
        await appendAuditEvent(trx, { at: now, actor: actor?.username ?? 'anonymous', action: 'admin-user.create', resourceType: 'admin-user', resourceId: r.username, after: view(r), outcome: 'allowed' });
        return r;
      });
      return { status: 201, body: view(row), version: Number(row.version) };
    },
  });

  const patch = endpoint<z.infer<typeof UsernameParam>, Record<string, never>, z.infer<typeof PatchBody>>({
    method: 'patch',
    path: '/api/v1/admin-users/{username}',
    operationId: 'updateAdminUser',
    summary: 'Change an admin user’s role, disabled flag or password',
    description: 'Disabling or changing the password ends the user’s sessions; disabled users’ tokens stop working. The last enabled owner cannot be demoted or disabled (409). Honours If-Match (412).',
    tags: ['admin-users'],
    access: 'admin:manage',
    params: UsernameParam,
    body: PatchBody,
    bodyExample: { role: 'auditor' },
    responses: { 200: { description: 'Updated', schema: AdminUser, example: { ...EXAMPLE, role: 'auditor', version: 2 } }, 409: { description: 'Would leave no enabled owner' } },
    async handler({ req, params, body, actor }) {
      const now = d.now();
      const ifMatch = expectedVersion(req);
      const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
      const row = await inTransaction(d.store, async (trx) => {
        const before = await getAdminUser(trx, params.username);
        if (!before) throw notFoundError(params.username);
        if ((body.role !== undefined && body.role !== 'owner') || body.disabled === true) await keepAnOwner(trx, before);
        const after = await updateAdminUser(trx, params.username, { role: body.role, disabled: body.disabled, passwordHash }, now, ifMatch);
        if (body.disabled === true || passwordHash !== undefined) await deleteSessionsOf(trx, params.username);
        await appendAuditEvent(trx, {
          at: now,
          actor: actor?.username ?? 'anonymous',
          action: 'admin-user.update',
          resourceType: 'admin-user',
          resourceId: params.username,
          before: view(before),
          after: { ...view(after), ...(passwordHash !== undefined ? { passwordChanged: true } : {}) },
          outcome: 'allowed',
        });
        return after;
      });
      return { body: view(row), version: Number(row.version) };
    },
  });

  const remove = endpoint<z.infer<typeof UsernameParam>>({
    method: 'delete',
    path: '/api/v1/admin-users/{username}',
    operationId: 'deleteAdminUser',
    summary: 'Delete an admin user',
    description: 'Deletes its sessions and tokens with it. The last enabled owner cannot be deleted (409). Honours If-Match (412).',
    tags: ['admin-users'],
    access: 'admin:manage',
    params: UsernameParam,
    responses: { 204: { description: 'Deleted' }, 409: { description: 'Would leave no enabled owner' } },
    async handler({ req, params, actor }) {
      const now = d.now();
      const ifMatch = expectedVersion(req);
      await inTransaction(d.store, async (trx) => {
        const before = await getAdminUser(trx, params.username);
        if (!before) throw notFoundError(params.username);
        await keepAnOwner(trx, before);
        await deleteAdminUser(trx, params.username, ifMatch);
        await appendAuditEvent(trx, { at: now, actor: actor?.username ?? 'anonymous', action: 'admin-user.delete', resourceType: 'admin-user', resourceId: params.username, before: view(before), outcome: 'allowed' });
      });
      return { status: 204 };
    },
  });

  return [list, create, patch, remove] as EndpointSpec<never, never, never>[];
}
