/** Services, roles and principals: query factories with hierarchical keys, and their writes. */
import { queryOptions } from '@tanstack/react-query';
import { listAll } from './list-all';
import { api, unwrap, unwrapWithEtag } from './client';
import type { RoleDefinition } from './types';

/** All services (for the service picker). */
export const servicesQuery = queryOptions({
  queryKey: ['services'],
  queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/services', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
});

/** Creates a service. */
export const createService = (name: string, description?: string) =>
  unwrap(api.POST('/api/v1/services', { body: { name, ...(description ? { description } : {}) } }));

/** Roles of a service. */
export const rolesQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'roles'],
    queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/services/{service}/roles', { params: { path: { service }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });

/** One role with its ETag (what another admin's save must not silently overwrite). */
export const fetchRole = (service: string, name: string) => unwrapWithEtag(api.GET('/api/v1/services/{service}/roles/{name}', { params: { path: { service, name } } }));

/** Replaces a role if it is still at `etag`; a 412 means someone else changed it. */
export const saveRole = (service: string, definition: RoleDefinition, etag: string) =>
  unwrapWithEtag(api.PUT('/api/v1/services/{service}/roles/{name}', { params: { path: { service, name: definition.name } }, headers: { 'if-match': etag }, body: definition }));

/** Creates a role. */
export const createRole = (service: string, definition: RoleDefinition) => unwrap(api.POST('/api/v1/services/{service}/roles', { params: { path: { service } }, body: definition }));

/** Principals (users and service accounts). */
export const principalsQuery = queryOptions({
  queryKey: ['principals'],
  queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/principals', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
});

/** Creates a principal. */
export const createPrincipal = (p: { id: string; kind: 'user' | 'service-account'; displayName: string; roles: string[] }) => unwrap(api.POST('/api/v1/principals', { body: p }));

/** Routes of a service. */
export const routesQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'routes'],
    queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/services/{service}/routes', { params: { path: { service }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });

/** Upstreams of a service. */
export const upstreamsQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'upstreams'],
    queryFn: () => listAll((cursor) => unwrap(api.GET('/api/v1/services/{service}/upstreams', { params: { path: { service }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });

/** Creates a route (the API validates it with the contract's Route schema). */
export const createRoute = (service: string, route: { id: string; match: { methods: ('GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS')[]; path: string; kind: 'exact' | 'prefix' | 'template' }; permissions: string[] }) =>
  unwrap(api.POST('/api/v1/services/{service}/routes', { params: { path: { service } }, body: route as never }));

/** Deletes a route. */
export const deleteRoute = (service: string, id: string) => unwrap(api.DELETE('/api/v1/services/{service}/routes/{id}', { params: { path: { service, id } } }));
