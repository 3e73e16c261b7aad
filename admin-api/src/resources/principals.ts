/** Principals (users and service accounts), global: list, create, get, PATCH, delete. */
import { z } from 'zod';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { actorOf, applyChange } from './audited-change.js';
import { isoTime, listQueryShape, locationOf, pageSchema, sortSpec } from './list-query.js';
import {
  NewPrincipal,
  PrincipalPatch,
  createPrincipal,
  deletePrincipal,
  getPrincipal,
  listPrincipals,
  servicesWithKeysOf,
  updatePrincipal,
  type Principal,
} from '../store/principals-repo.js';
import { CascadeAnswer, DeleteQuery } from './crud.js';
import { clearReferences, principalReferences } from './references.js';
import type { ResourceDeps } from './resource-deps.js';

const PrincipalView = z.object({
  id: z.string(),
  kind: z.enum(['user', 'service-account']),
  displayName: z.string(),
  roles: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});
const Params = z.object({ id: z.string().min(1).max(256).describe('principal id') });
const Query = z.object({
  ...listQueryShape(['id', 'createdAt', 'updatedAt'] as const, 'principal ids starting with this'),
  kind: z.enum(['user', 'service-account']).optional(),
});

const auditView = (p: Principal) => ({ id: p.id, kind: p.kind, displayName: p.displayName, roles: p.roles, disabled: p.disabled });
const view = (p: Principal) => ({ ...auditView(p), createdAt: isoTime(p.createdAt), updatedAt: isoTime(p.updatedAt), version: p.version });

/** The five endpoints of /principals; changes notify the services where the principal holds API keys. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function principalEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  const tags = ['principals'];
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/principals',
      operationId: 'listPrincipals',
      summary: 'List principals (users and service accounts)',
      tags,
      access: 'read',
      query: Query,
      responses: { 200: { description: 'a page of principals', schema: pageSchema(PrincipalView) } },
      async handler({ query }) {
        const page = await listPrincipals(deps.store, {
          limit: query.limit,
          cursor: query.cursor ?? null,
          sort: sortSpec(query.sort, query.order),
          filter: { ...(query.q === undefined ? {} : { idPrefix: query.q }), ...(query.kind === undefined ? {} : { kind: query.kind }) },
        });
        return { body: { items: page.items.map(view), total: page.total, nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/principals',
      operationId: 'createPrincipal',
      summary: 'Create a principal',
      tags,
      access: 'security:write',
      body: NewPrincipal,
      bodyExample: { id: 'svc-reporting', kind: 'service-account', displayName: 'Reporting job', roles: ['order-reader'] },
      responses: { 201: { description: 'created; Location and ETag set', schema: PrincipalView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const created = await applyChange(deps, actor, async (trx) => {
          const p = await createPrincipal(trx, ctx.body);
          return { result: p, services: await servicesWithKeysOf(trx, p.id), audit: { action: 'principal.create', resourceType: 'principal', resourceId: p.id, before: null, after: auditView(p) } };
        });
        return { status: 201, body: view(created), version: created.version, headers: { location: locationOf('principals', created.id) } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/principals/{id}',
      operationId: 'getPrincipal',
      summary: 'Get a principal (ETag: its version)',
      tags,
      access: 'read',
      params: Params,
      responses: { 200: { description: 'the principal', schema: PrincipalView } },
      async handler({ params }) {
        const p = await getPrincipal(deps.store, params.id);
        return { body: view(p), version: p.version };
      },
    }),
    endpoint({
      method: 'patch',
      path: '/api/v1/principals/{id}',
      operationId: 'updatePrincipal',
      summary: 'Change a principal (merge; If-Match honoured)',
      tags,
      access: 'security:write',
      params: Params,
      body: PrincipalPatch,
      bodyExample: { roles: ['order-reader', 'order-writer'], disabled: false },
      responses: { 200: { description: 'the principal as stored now', schema: PrincipalView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const id = ctx.params.id;
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await getPrincipal(trx, id);
          const p = await updatePrincipal(trx, id, ctx.body, expected);
          // Disabling takes credentials away: never refused for the rest of the policy (revocation wins).
          const withdrawal = ctx.body.disabled === true;
          return { result: p, services: await servicesWithKeysOf(trx, id), withdrawal, audit: { action: 'principal.update', resourceType: 'principal', resourceId: id, before: auditView(before), after: auditView(p) } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
    endpoint({
      method: 'delete',
      path: '/api/v1/principals/{id}',
      operationId: 'deletePrincipal',
      summary: 'Delete a principal (409 while it holds API keys, unless ?cascade=true deletes them too; If-Match honoured)',
      description: principalReferences.cascadeHelp,
      tags,
      access: 'security:write',
      params: Params,
      query: DeleteQuery,
      responses: { 204: { description: 'deleted' }, 200: { description: 'deleted with ?cascade=true: its API keys deleted too', schema: CascadeAnswer } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const id = ctx.params.id;
        const cascade = ctx.query.cascade === 'true';
        const removed = await applyChange(deps, actor, async (trx) => {
          const before = await getPrincipal(trx, id);
          const services = await servicesWithKeysOf(trx, id);
          const refs = await clearReferences(trx, principalReferences, '', id, cascade, Date.now());
          await deletePrincipal(trx, id, expected);
          const after = refs.length > 0 ? { cascade: refs } : null;
          return { result: refs, services, withdrawal: true, audit: { action: 'principal.delete', resourceType: 'principal', resourceId: id, before: auditView(before), after } };
        });
        return cascade ? { status: 200, body: { deleted: id, cascade: removed } } : { status: 204 };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
