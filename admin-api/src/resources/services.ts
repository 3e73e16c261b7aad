/** Services: the unit a sidecar enforces. PATCH changes the description; DELETE removes everything of the service. */
import { ServiceName } from '@agentcore/policies';
import { z } from 'zod';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { createService, deleteService, getService, listServices, updateService, type Service } from '../store/index.js';
import { actorOf, applyChange } from './audited-change.js';
import { isoTime, listQueryShape, locationOf, pageSchema, sortSpec } from './list-query.js';
import type { ResourceDeps } from './resource-deps.js';

const ServiceView = z.object({ name: z.string(), description: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(), version: z.int() });
const NewService = z.strictObject({ name: ServiceName, description: z.string().max(2000).nullable().optional() });
const ServicePatch = z.strictObject({ description: z.string().max(2000).nullable().optional() });
const Params = z.object({ service: z.string().min(1).max(253).describe('service name') });
const Query = z.object(listQueryShape(['name', 'createdAt', 'updatedAt'] as const, 'service names starting with this'));

const view = (s: Service) => ({ name: s.name, description: s.description, createdAt: isoTime(s.createdAt), updatedAt: isoTime(s.updatedAt), version: s.version });
const auditView = (s: Service) => ({ name: s.name, description: s.description });

/** The five endpoints of /services. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function serviceEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  const tags = ['services'];
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/services',
      operationId: 'listServices',
      summary: 'List services',
      tags,
      access: 'read',
      query: Query,
      responses: { 200: { description: 'a page of services', schema: pageSchema(ServiceView) } },
      async handler({ query }) {
        const page = await listServices(deps.store, {
          limit: query.limit,
          cursor: query.cursor ?? null,
          sort: sortSpec(query.sort, query.order),
          filter: query.q === undefined ? {} : { namePrefix: query.q },
        });
        return { body: { items: page.items.map(view), total: page.total, nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/services',
      operationId: 'createService',
      summary: 'Create a service (with empty policy and default settings)',
      tags,
      access: 'platform:write',
      body: NewService,
      bodyExample: { name: 'orders', description: 'Order management API' },
      responses: { 201: { description: 'created; Location and ETag set', schema: ServiceView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const created = await applyChange(deps, actor, async (trx) => {
          const s = await createService(trx, ctx.body);
          return { result: s, services: [s.name], audit: { action: 'service.create', resourceType: 'service', resourceId: s.name, before: null, after: auditView(s) } };
        });
        return { status: 201, body: view(created), version: created.version, headers: { location: locationOf('services', created.name) } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/services/{service}',
      operationId: 'getService',
      summary: 'Get a service (ETag: its version)',
      tags,
      access: 'read',
      params: Params,
      responses: { 200: { description: 'the service', schema: ServiceView } },
      async handler({ params }) {
        const s = await getService(deps.store, params.service);
        return { body: view(s), version: s.version };
      },
    }),
    endpoint({
      method: 'patch',
      path: '/api/v1/services/{service}',
      operationId: 'updateService',
      summary: 'Change a service (merge; If-Match honoured)',
      tags,
      access: 'platform:write',
      params: Params,
      body: ServicePatch,
      bodyExample: { description: 'Order management API, v2' },
      responses: { 200: { description: 'the service as stored now', schema: ServiceView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const name = ctx.params.service;
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await getService(trx, name);
          const s = await updateService(trx, name, ctx.body, expected);
          return { result: s, services: [name], audit: { action: 'service.update', resourceType: 'service', resourceId: name, before: auditView(before), after: auditView(s) } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
    endpoint({
      method: 'delete',
      path: '/api/v1/services/{service}',
      operationId: 'deleteService',
      summary: 'Delete a service and all its policy objects, keys and revisions (If-Match honoured)',
      tags,
      access: 'platform:write',
      params: Params,
      responses: { 204: { description: 'deleted' } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const name = ctx.params.service;
        await applyChange(deps, actor, async (trx) => {
          const before = await getService(trx, name);
          await deleteService(trx, name, expected);
          return { result: undefined, services: [name], audit: { action: 'service.delete', resourceType: 'service', resourceId: name, before: auditView(before), after: null } };
        });
        return { status: 204 };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
