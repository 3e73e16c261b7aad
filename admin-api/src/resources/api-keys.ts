/**
 * API keys of a service. The secret (prefix `ak_`) is in the answer to create and rotate only; no
 * response or audit event ever carries it or its hash. Rotation keeps the old key valid for an overlap.
 */
import { Identifier } from '@agentcore/policies';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import {
  API_KEY_PREFIX,
  StoreError,
  createApiKey,
  deleteApiKey,
  getApiKey,
  getService,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  updateApiKey,
  type ApiKeyRecord,
  type Database,
} from '../store/index.js';
import { actorOf, applyChange } from './audited-change.js';
import { checkKeyReferences } from './key-references.js';
import { isoTime, listQueryShape, locationOf, pageSchema, sortSpec } from './list-query.js';
import type { ResourceDeps } from './resource-deps.js';

/** Longest rotation overlap: 30 days. */
export const MAX_OVERLAP_SECONDS = 30 * 86400;

const KeyState = z.enum(['active', 'not-yet-valid', 'expired', 'revoked']).describe('whether a sidecar accepts the key now');
const ApiKeyView = z.object({
  id: z.string(),
  service: z.string(),
  principal: z.string(),
  description: z.string().nullable(),
  prefix: z.string().describe(`first characters of the secret (${API_KEY_PREFIX}…), for recognising it`),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  notBefore: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  replacedBy: z.string().nullable().describe('the key that replaced this one by rotation'),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
  state: KeyState,
});
const WithSecret = ApiKeyView.extend({ secret: z.string().describe('the key itself: shown this once, store it now') });
const Rotated = WithSecret.extend({ previous: ApiKeyView.describe('the rotated key, valid until the overlap ends') });

const DateTime = z.iso.datetime({ offset: true });
const NewKey = z.strictObject({
  id: Identifier.optional().describe('default: generated'),
  principal: z.string().min(1).max(256),
  description: z.string().max(500).nullable().optional(),
  roles: z.array(z.string().min(1)).default([]),
  scopes: z.array(z.string().min(1)).default([]),
  notBefore: DateTime.optional(),
  expiresAt: DateTime.optional(),
});
const KeyPatch = z.strictObject({
  description: z.string().max(500).nullable().optional(),
  roles: z.array(z.string().min(1)).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  expiresAt: DateTime.nullable().optional(),
});
const Rotate = z.strictObject({
  overlap_seconds: z.int().min(0).max(MAX_OVERLAP_SECONDS).default(3600).describe('how long the old key keeps working'),
});

const ServiceParams = z.object({ service: z.string().min(1).max(253).describe('service name') });
const KeyParams = ServiceParams.extend({ id: z.string().min(1).max(256) });
const Query = z.object({
  ...listQueryShape(['createdAt', 'id', 'expiresAt'] as const, 'keys of this principal'),
  revoked: z.enum(['true', 'false']).optional().describe('only revoked (true) or only not revoked (false) keys'),
});

function stateOf(k: ApiKeyRecord, now: number): z.infer<typeof KeyState> {
  if (k.revokedAt !== null) return 'revoked';
  if (k.notBefore !== null && k.notBefore > now) return 'not-yet-valid';
  if (k.expiresAt !== null && k.expiresAt <= now) return 'expired';
  return 'active';
}

/** The public fields of a key, listed one by one so the hash can never slip in. */
function publicFields(k: ApiKeyRecord) {
  return {
    id: k.id,
    service: k.service,
    principal: k.principal,
    description: k.description,
    prefix: k.prefix,
    roles: k.roles,
    scopes: k.scopes,
    notBefore: isoTime(k.notBefore),
    expiresAt: isoTime(k.expiresAt),
    revokedAt: isoTime(k.revokedAt),
    replacedBy: k.replacedBy,
    lastUsedAt: isoTime(k.lastUsedAt),
    createdAt: isoTime(k.createdAt),
    updatedAt: isoTime(k.updatedAt),
    version: k.version,
  };
}

/** Key ids are global; a key of another service is "not found" under this one. */
async function keyOf(q: Kysely<Database> | ResourceDeps['store'], service: string, id: string): Promise<ApiKeyRecord> {
  const k = await getApiKey(q, id);
  if (k.service !== service) throw new StoreError('ADMIN_STORE_NOT_FOUND', `API key "${id}" of service "${service}" does not exist`);
  return k;
}

/** /services/{service}/api-keys: list, create, get, PATCH, delete, rotate, revoke. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function apiKeyEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  const now = deps.now ?? Date.now;
  const view = (k: ApiKeyRecord) => ({ ...publicFields(k), state: stateOf(k, now()) });
  const tags = ['api-keys'];
  const collection = '/api/v1/services/{service}/api-keys';
  const item = `${collection}/{id}`;
  const rid = (k: ApiKeyRecord) => `${k.service}/${k.id}`;

  return [
    endpoint({
      method: 'get',
      path: collection,
      operationId: 'listApiKeys',
      summary: 'List the API keys of a service (never the secrets)',
      tags,
      access: 'read',
      params: ServiceParams,
      query: Query,
      responses: { 200: { description: 'a page of keys', schema: pageSchema(ApiKeyView) } },
      async handler({ params, query }) {
        await getService(deps.store, params.service);
        const page = await listApiKeys(deps.store, params.service, {
          limit: query.limit,
          cursor: query.cursor ?? null,
          sort: sortSpec(query.sort, query.order),
          filter: { ...(query.q === undefined ? {} : { principal: query.q }), ...(query.revoked === undefined ? {} : { revoked: query.revoked === 'true' }) },
        });
        return { body: { items: page.items.map(view), total: page.total, nextCursor: page.nextCursor } };
      },
    }),
    endpoint({
      method: 'post',
      path: collection,
      operationId: 'createApiKey',
      summary: 'Create an API key; the answer holds the secret, shown this once',
      tags,
      access: 'security:write',
      params: ServiceParams,
      body: NewKey,
      bodyExample: { principal: 'svc-reporting', description: 'nightly report job', roles: ['order-reader'], scopes: [], expiresAt: '2030-01-01T00:00:00Z' },
      responses: { 201: { description: 'created; `secret` is never shown again', schema: WithSecret } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const service = ctx.params.service;
        const { key, secret } = await applyChange(deps, actor, async (trx) => {
          await getService(trx, service); // an unknown service is 404 before anything about the body
          await checkKeyReferences(trx, service, { principal: ctx.body.principal, roles: ctx.body.roles });
          const created = await createApiKey(trx, { ...ctx.body, service }, now());
          return { result: created, services: [service], audit: { action: 'api-key.create', resourceType: 'api-key', resourceId: rid(created.key), before: null, after: publicFields(created.key) } };
        });
        return { status: 201, body: { ...view(key), secret }, version: key.version, headers: { location: locationOf('services', service, 'api-keys', key.id) } };
      },
    }),
    endpoint({
      method: 'get',
      path: item,
      operationId: 'getApiKey',
      summary: 'Get an API key (never the secret; ETag: its version)',
      tags,
      access: 'read',
      params: KeyParams,
      responses: { 200: { description: 'the key', schema: ApiKeyView } },
      async handler({ params }) {
        const k = await keyOf(deps.store, params.service, params.id);
        return { body: view(k), version: k.version };
      },
    }),
    endpoint({
      method: 'patch',
      path: item,
      operationId: 'updateApiKey',
      summary: 'Change the description, roles, scopes or expiry of a key (merge; If-Match honoured)',
      tags,
      access: 'security:write',
      params: KeyParams,
      body: KeyPatch,
      bodyExample: { roles: ['order-reader', 'order-writer'] },
      responses: { 200: { description: 'the key as stored now', schema: ApiKeyView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const { service, id } = ctx.params;
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await keyOf(trx, service, id);
          await checkKeyReferences(trx, service, { roles: ctx.body.roles });
          const k = await updateApiKey(trx, id, ctx.body, expected, now());
          return { result: k, services: [service], audit: { action: 'api-key.update', resourceType: 'api-key', resourceId: rid(k), before: publicFields(before), after: publicFields(k) } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
    endpoint({
      method: 'delete',
      path: item,
      operationId: 'deleteApiKey',
      summary: 'Delete a key record (revoke keeps the history; If-Match honoured)',
      tags,
      access: 'security:write',
      params: KeyParams,
      responses: { 204: { description: 'deleted' } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const { service, id } = ctx.params;
        await applyChange(deps, actor, async (trx) => {
          const before = await keyOf(trx, service, id);
          await deleteApiKey(trx, id, expected);
          return { result: undefined, services: [service], withdrawal: true, audit: { action: 'api-key.delete', resourceType: 'api-key', resourceId: rid(before), before: publicFields(before), after: null } };
        });
        return { status: 204 };
      },
    }),
    endpoint({
      method: 'post',
      path: `${item}/rotate`,
      operationId: 'rotateApiKey',
      summary: 'Rotate a key: a new secret now, the old key valid until the overlap ends (If-Match honoured)',
      tags,
      access: 'security:write',
      params: KeyParams,
      body: Rotate,
      bodyExample: { overlap_seconds: 3600 },
      responses: { 201: { description: 'the new key with its secret (shown once) and the old key', schema: Rotated } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const { service, id } = ctx.params;
        const r = await applyChange(deps, actor, async (trx) => {
          const before = await keyOf(trx, service, id);
          const rotated = await rotateApiKey(trx, id, ctx.body.overlap_seconds * 1000, expected, now());
          return {
            result: rotated,
            services: [service],
            audit: { action: 'api-key.rotate', resourceType: 'api-key', resourceId: rid(before), before: publicFields(before), after: { previous: publicFields(rotated.previous), replacement: publicFields(rotated.key) } },
          };
        });
        return { status: 201, body: { ...view(r.key), secret: r.secret, previous: view(r.previous) }, version: r.key.version, headers: { location: locationOf('services', service, 'api-keys', r.key.id) } };
      },
    }),
    endpoint({
      method: 'post',
      path: `${item}/revoke`,
      operationId: 'revokeApiKey',
      summary: 'Revoke a key now (idempotent; If-Match honoured)',
      tags,
      access: 'security:write',
      params: KeyParams,
      responses: { 200: { description: 'the revoked key', schema: ApiKeyView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const { service, id } = ctx.params;
        const revoked = await applyChange(deps, actor, async (trx) => {
          const before = await keyOf(trx, service, id);
          const k = await revokeApiKey(trx, id, expected, now());
          return { result: k, services: [service], withdrawal: true, audit: { action: 'api-key.revoke', resourceType: 'api-key', resourceId: rid(k), before: publicFields(before), after: publicFields(k) } };
        });
        return { body: view(revoked), version: revoked.version };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
