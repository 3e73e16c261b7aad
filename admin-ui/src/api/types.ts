/** Named shapes of admin API answers, taken from the generated OpenAPI types (so they cannot drift). */
import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of the 200/201 answer of `M P`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never;

export type AdminSessionWire = Answer<'/api/v1/session', 'get'>;
export type Service = Answer<'/api/v1/services', 'get'>['items'][number];
export type StoredRole = Answer<'/api/v1/services/{service}/roles', 'get'>['items'][number];
export type RoleDefinition = StoredRole['definition'];
export type ApiKeyView = Answer<'/api/v1/services/{service}/api-keys', 'get'>['items'][number];
export type CreatedApiKey = Answer<'/api/v1/services/{service}/api-keys', 'post'>;
export type Principal = Answer<'/api/v1/principals', 'get'>['items'][number];
export type StoredRoute = Answer<'/api/v1/services/{service}/routes', 'get'>['items'][number];
export type StoredUpstream = Answer<'/api/v1/services/{service}/upstreams', 'get'>['items'][number];
export type Revision = Answer<'/api/v1/services/{service}/revisions', 'get'>['items'][number];
export type RevisionDiff = Answer<'/api/v1/services/{service}/revisions/{from}/diff/{to}', 'get'>;
export type Sidecar = Answer<'/api/v1/sidecars', 'get'>['items'][number];
export type SidecarCredential = Answer<'/api/v1/services/{service}/sidecar-credentials', 'get'>['items'][number];
export type AccessLogRecord = Answer<'/api/v1/access-logs', 'get'>['items'][number];
export type AuditEvent = Answer<'/api/v1/audit-events', 'get'>['items'][number];
