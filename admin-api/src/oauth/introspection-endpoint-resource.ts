/**
 * /api/v1/services/{service}/introspection-endpoints: RFC 7662 endpoints of external authorization servers
 * a service's sidecars may ask about opaque tokens (compiled into the bundle's `authentication.introspection`;
 * the client secret stays in the sidecar's environment, named by `clientSecretEnv`).
 */
import { Introspection } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { definitionEndpoints, type DefinitionKind } from '../resources/crud.js';
import type { ResourceDeps } from '../resources/resource-deps.js';
import { serviceResourceRepo, type ServiceResourceTableName } from '../store/service-resource-repo.js';

/** The repository over `introspection_endpoints` (same shape as the other service definitions). */
export const introspectionEndpointsRepo = serviceResourceRepo({
  table: 'introspection_endpoints' as ServiceResourceTableName,
  noun: 'introspection endpoint',
  schema: Introspection,
  idOf: (d) => d.id,
  idField: 'id',
});

const kind: DefinitionKind<typeof Introspection> = {
  repo: introspectionEndpointsRepo,
  schema: Introspection,
  segment: 'introspection-endpoints',
  type: 'introspection-endpoint',
  noun: 'introspection endpoint',
  plural: 'introspection endpoints',
  operation: 'IntrospectionEndpoint',
  access: 'security:write',
  idField: 'id',
  example: { id: 'corp-as', endpoint: 'https://as.example.com/oauth2/introspect', clientId: 'gateway', clientSecretEnv: 'CORP_AS_SECRET' },
};

/** The five endpoints. */
export const introspectionEndpointResource = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, kind);
