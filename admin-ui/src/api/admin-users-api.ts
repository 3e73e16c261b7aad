/** Admin users (owner only, `admin:manage`): list, create, change role / disable with If-Match, delete. */
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { AdminRole } from './session-api';
import type { Answer } from './types';

/** An admin user as the API shows it (never its password). */
export type AdminUser = Answer<'/api/v1/admin-users', 'get'>['items'][number];

/** Every admin user. */
export const adminUsersQuery = queryOptions({
  queryKey: ['admin-users'],
  queryFn: async () => (await unwrap(api.GET('/api/v1/admin-users'))).items,
});

/** Creates an admin user with the password the owner typed. */
export const createAdminUser = (u: { username: string; password: string; role: AdminRole }) => unwrap(api.POST('/api/v1/admin-users', { body: u }));

/** Changes role and/or disabled flag if the user is still at `etag` (`"v<version>"`); 412 otherwise. */
export const updateAdminUser = (username: string, patch: { role?: AdminRole; disabled?: boolean }, etag: string) =>
  unwrap(api.PATCH('/api/v1/admin-users/{username}', { params: { path: { username } }, headers: { 'if-match': etag }, body: patch }));

/** Deletes an admin user (their sessions and tokens go with them) if still at `etag`. */
export const deleteAdminUser = (username: string, etag: string) => unwrap(api.DELETE('/api/v1/admin-users/{username}', { params: { path: { username } }, headers: { 'if-match': etag } }));
