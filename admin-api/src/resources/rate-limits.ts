/** Rate limits of a service: CRUD endpoints from the shared definition factory. */
import { RateLimit } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { rateLimitsRepo } from '../store/index.js';
import { definitionEndpoints, type DefinitionKind } from './crud.js';
import { rateLimitReferences } from './references.js';
import type { ResourceDeps } from './resource-deps.js';

/** Rate limits and quotas (security admins). */
export const rateLimitKind: DefinitionKind<typeof RateLimit> = {
  repo: rateLimitsRepo,
  schema: RateLimit,
  segment: 'rate-limits',
  type: 'rate-limit',
  noun: 'rate limit',
  plural: 'rate limits',
  operation: 'RateLimit',
  access: 'security:write',
  idField: 'id',
  references: rateLimitReferences,
  example: { id: 'per-client', scope: ['client'], rate: { requests: 100, periodSeconds: 60, burst: 20 }, quotas: [{ requests: 10000, period: 'day' }] },
};

/** GET/POST rateLimits collection and GET/PUT/DELETE one. */
export const rateLimitEndpoints = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, rateLimitKind);
