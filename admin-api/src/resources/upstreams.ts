/** Upstreams of a service: CRUD endpoints from the shared definition factory. */
import { Upstream } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { upstreamsRepo } from '../store/index.js';
import { definitionEndpoints, type DefinitionKind } from './crud.js';
import { upstreamReferences } from './references.js';
import type { ResourceDeps } from './resource-deps.js';

/** Upstreams, keyed by name from outside the definition (platform engineers). */
export const upstreamKind: DefinitionKind<typeof Upstream> = {
  repo: upstreamsRepo,
  schema: Upstream,
  segment: 'upstreams',
  type: 'upstream',
  noun: 'upstream',
  plural: 'upstreams',
  operation: 'Upstream',
  access: 'platform:write',
  references: upstreamReferences,
  example: { name: 'orders', definition: { targets: [{ name: 'a', url: 'http://10.0.0.5:8080' }], timeouts: { connectMs: 1000, perTryMs: 5000, totalMs: 10000, idleMs: 60000 } } },
};

/** GET/POST upstreams collection and GET/PUT/DELETE one. */
export const upstreamEndpoints = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, upstreamKind);
