/** Routes of a service: CRUD endpoints from the shared definition factory. */
import { Route } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { routesRepo } from '../store/index.js';
import { definitionEndpoints, type DefinitionKind } from './crud.js';
import type { ResourceDeps } from './resource-deps.js';

/** Routes (platform engineers). */
export const routeKind: DefinitionKind<typeof Route> = {
  repo: routesRepo,
  schema: Route,
  segment: 'routes',
  type: 'route',
  noun: 'route',
  plural: 'routes',
  operation: 'Route',
  access: 'platform:write',
  idField: 'id',
  example: { id: 'list-orders', match: { methods: ['GET'], path: '/orders', kind: 'exact' }, upstream: 'orders', permissions: ['orders:read'], rateLimits: ['per-client'] },
};

/** GET/POST routes collection and GET/PUT/DELETE one. */
export const routeEndpoints = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, routeKind);
