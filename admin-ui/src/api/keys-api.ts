/** API keys and sidecar credentials of a service: lists, create (secret returned once), rotate, revoke. */
import { queryOptions } from '@tanstack/react-query';
import { listAll } from './list-all';
import { api, unwrap } from './client';

/** API keys of a service, revoked ones included. */
export const apiKeysQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'api-keys'],
    queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/services/{service}/api-keys', { params: { path: { service }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });

/** What the create form sends. */
export interface NewApiKey {
  principal: string;
  roles: string[];
  scopes: string[];
  description?: string;
  /** ISO 8601 */
  expiresAt?: string;
}

/** Creates a key; the answer's `secret` is shown once and never again. */
export const createApiKey = (service: string, k: NewApiKey) => unwrap(api.POST('/api/v1/services/{service}/api-keys', { params: { path: { service } }, body: k }));

/** Rotates a key: a new secret now, the old one keeps working for `overlapSeconds`. */
export const rotateApiKey = (service: string, id: string, overlapSeconds: number) =>
  unwrap(api.POST('/api/v1/services/{service}/api-keys/{id}/rotate', { params: { path: { service, id } }, body: { overlapSeconds } }));

/** Revokes a key at once. */
export const revokeApiKey = (service: string, id: string) => unwrap(api.POST('/api/v1/services/{service}/api-keys/{id}/revoke', { params: { path: { service, id } } }));

/** Sidecar credentials of a service. */
export const sidecarCredentialsQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'sidecar-credentials'],
    queryFn: () => unwrap(api.GET('/api/v1/services/{service}/sidecar-credentials', { params: { path: { service } } })).then((r) => r.items),
  });

/** Creates a sidecar credential; its token is shown once. */
export const createSidecarCredential = (service: string, name: string) => unwrap(api.POST('/api/v1/services/{service}/sidecar-credentials', { params: { path: { service } }, body: { name } }));

/** Revokes a sidecar credential. */
export const revokeSidecarCredential = (service: string, id: string) =>
  unwrap(api.DELETE('/api/v1/services/{service}/sidecar-credentials/{id}', { params: { path: { service, id } } }));
