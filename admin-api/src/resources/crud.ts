/**
 * The endpoints of a service's policy definitions (routes, upstreams, roles, rate limits, JWT
 * issuers), built from one description: list, get, create, replace (PUT), delete, each audited.
 */
import { Identifier } from '@agentcore/policies';
import { z } from 'zod';
import type { AdminPermission } from '../auth/admin-roles.js';
import { invalidInput } from '../errors.js';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { getService, type ServiceResourceRepo, type StoredResource } from '../store/index.js';
import { actorOf, applyChange } from './audited-change.js';
import { isoTime, listQueryShape, locationOf, pageSchema, sortSpec } from './list-query.js';
import { clearReferences, type ReferenceRules } from './references.js';
import type { ResourceDeps } from './resource-deps.js';

/** One kind of service definition and how it appears in the API. */
export interface DefinitionKind<S extends z.ZodType> {
  repo: ServiceResourceRepo<z.output<S>>;
  /** the `@agentcore/policies` schema of one definition */
  schema: S;
  /** URL segment under the service: `routes` */
  segment: string;
  /** audit resource type and action prefix: `route` */
  type: string;
  /** for summaries: `route` / `routes` */
  noun: string;
  plural: string;
  /** operationId stem: `Route` → listRoutes, getRoute, createRoute, replaceRoute, deleteRoute */
  operation: string;
  access: AdminPermission;
  /**
   * The field of the definition holding its id (`id`, `name`); the path parameter has the same name.
   * Absent for kinds keyed from outside (upstreams): created with `{name, definition}`.
   */
  idField?: 'id' | 'name';
  /** example create body, for the OpenAPI document */
  example: unknown;
  /** what may refer to an object of this kind: its delete is refused while referenced, or cascades on request */
  references?: ReferenceRules;
}

/** `?cascade=true` on a delete: remove the references too (where the kind documents a cascade). */
export const DeleteQuery = z.object({ cascade: z.enum(['true', 'false']).optional().describe('remove what refers to the object too (see docs/control-plane.md)') });
/** The answer to a delete with ?cascade=true. */
export const CascadeAnswer = z.object({ deleted: z.string(), cascade: z.array(z.object({ type: z.string(), id: z.string(), change: z.string() })) });

type Params = Record<string, string>;

/** `service` plus the kind's id parameter, as a string-only object (unknown ids are 404, not 400). */
const paramsSchema = (idParam: string | undefined) =>
  z.object({
    service: z.string().min(1).max(253).describe('service name'),
    ...(idParam ? { [idParam]: z.string().min(1).max(256) } : {}),
  }) as unknown as z.ZodType<Params>;

const param = (p: Params, name: string): string => p[name] ?? '';

/** The response shape of a stored definition. */
function storedSchema(schema: z.ZodType) {
  return z.object({
    service: z.string(),
    id: z.string(),
    definition: schema,
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
  });
}

function view<T>(r: StoredResource<T>) {
  return { service: r.service, id: r.id, definition: r.definition, createdAt: isoTime(r.createdAt), updatedAt: isoTime(r.updatedAt), version: r.version };
}

/** The five endpoints of one definition kind. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function definitionEndpoints<S extends z.ZodType>(deps: ResourceDeps, kind: DefinitionKind<S>): EndpointSpec<never, never, never>[] {
  const idParam = kind.idField ?? 'name';
  const collection = `/api/v1/services/{service}/${kind.segment}`;
  const item = `${collection}/{${idParam}}`;
  const Stored = storedSchema(kind.schema);
  const tags = [kind.plural];
  const createBody: z.ZodType = kind.idField ? kind.schema : z.strictObject({ name: Identifier, definition: kind.schema });
  const query = z.object(listQueryShape(['id', 'createdAt', 'updatedAt'] as const, `${kind.noun} ids starting with this`));
  const resourceId = (service: string, id: string) => `${service}/${id}`;

  return [
    endpoint({
      method: 'get',
      path: collection,
      operationId: `list${kind.operation}s`,
      summary: `List the ${kind.plural} of a service`,
      tags,
      access: 'read',
      params: paramsSchema(undefined),
      query,
      responses: { 200: { description: `a page of ${kind.plural}`, schema: pageSchema(Stored) } },
      async handler({ params, query: qs }) {
        const service = param(params, 'service');
        await getService(deps.store, service);
        const page = await kind.repo.list(deps.store, service, {
          limit: qs.limit,
          cursor: qs.cursor ?? null,
          sort: sortSpec(qs.sort, qs.order),
          filter: qs.q === undefined ? {} : { idPrefix: qs.q },
        });
        return { body: { items: page.items.map(view), total: page.total, nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'get',
      path: item,
      operationId: `get${kind.operation}`,
      summary: `Get one ${kind.noun} (ETag: its version)`,
      tags,
      access: 'read',
      params: paramsSchema(idParam),
      responses: { 200: { description: `the ${kind.noun}`, schema: Stored } },
      async handler({ params }) {
        const r = await kind.repo.get(deps.store, param(params, 'service'), param(params, idParam));
        return { body: view(r), version: r.version };
      },
    }),
    endpoint({
      method: 'post',
      path: collection,
      operationId: `create${kind.operation}`,
      summary: `Create a ${kind.noun}`,
      description: kind.idField ? undefined : `The body names the ${kind.noun} and gives its definition.`,
      tags,
      access: kind.access,
      params: paramsSchema(undefined),
      body: createBody,
      bodyExample: kind.example,
      responses: { 201: { description: `created; Location and ETag set`, schema: Stored } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const service = param(ctx.params, 'service');
        const [id, definition] = kind.idField ? [undefined, ctx.body] : [(ctx.body as { name: string }).name, (ctx.body as { definition: unknown }).definition];
        const created = await applyChange(deps, actor, async (trx) => {
          const r = await kind.repo.create(trx, service, definition, id);
          return { result: r, services: [service], audit: { action: `${kind.type}.create`, resourceType: kind.type, resourceId: resourceId(service, r.id), before: null, after: r.definition } };
        });
        return { status: 201, body: view(created), version: created.version, headers: { location: locationOf('services', service, kind.segment, created.id) } };
      },
    }),
    endpoint({
      method: 'put',
      path: item,
      operationId: `replace${kind.operation}`,
      summary: `Replace a ${kind.noun} (If-Match: "v<version>" prevents lost updates)`,
      tags,
      access: kind.access,
      params: paramsSchema(idParam),
      body: kind.schema as z.ZodType,
      responses: { 200: { description: `the ${kind.noun} as stored now`, schema: Stored } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const service = param(ctx.params, 'service');
        const id = param(ctx.params, idParam);
        const expected = expectedVersion(ctx.req);
        if (kind.idField) {
          const own = (ctx.body as Record<string, unknown>)[kind.idField];
          if (own !== id) throw invalidInput(`the ${kind.noun} ${kind.idField} cannot change`, [{ path: `body.${kind.idField}`, message: `must be "${id}" (the ${kind.noun} in the URL)` }]);
        }
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await kind.repo.get(trx, service, id);
          const r = await kind.repo.update(trx, service, id, ctx.body, expected);
          return { result: r, services: [service], audit: { action: `${kind.type}.update`, resourceType: kind.type, resourceId: resourceId(service, id), before: before.definition, after: r.definition } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
    endpoint({
      method: 'delete',
      path: item,
      operationId: `delete${kind.operation}`,
      summary: `Delete a ${kind.noun} (If-Match honoured; 409 while referenced unless ?cascade=true)`,
      description: kind.references?.cascadeHelp,
      tags,
      access: kind.access,
      params: paramsSchema(idParam),
      query: DeleteQuery,
      responses: { 204: { description: 'deleted' }, 200: { description: 'deleted with ?cascade=true: the references removed too', schema: CascadeAnswer } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const service = param(ctx.params, 'service');
        const id = param(ctx.params, idParam);
        const expected = expectedVersion(ctx.req);
        const cascade = ctx.query.cascade === 'true';
        const removed = await applyChange(deps, actor, async (trx) => {
          const before = await kind.repo.get(trx, service, id);
          const refs = kind.references ? await clearReferences(trx, kind.references, service, id, cascade, (deps.now ?? Date.now)()) : [];
          await kind.repo.delete(trx, service, id, expected);
          const after = refs.length > 0 ? { cascade: refs } : null;
          return { result: refs, services: [service], deleting: `${kind.noun} ${id}`, audit: { action: `${kind.type}.delete`, resourceType: kind.type, resourceId: resourceId(service, id), before: before.definition, after } };
        });
        return cascade ? { status: 200, body: { deleted: id, cascade: removed } } : { status: 204 };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
