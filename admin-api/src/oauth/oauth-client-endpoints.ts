/**
 * /api/v1/oauth-clients: list, create (the secret shown once), get, PATCH (settings, disable), delete and
 * rotate-secret; If-Match on every change, each audited without secrets, and the bundles of the services
 * a change touches republished (they trust the control plane while an enabled client may get tokens for them).
 */
import { z } from 'zod';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { actorOf, applyChange } from '../resources/audited-change.js';
import { isoTime, locationOf } from '../resources/list-query.js';
import type { ResourceDeps } from '../resources/resource-deps.js';
import { createOAuthClient, deleteOAuthClient, generateClientSecret, getOAuthClient, listOAuthClients, updateOAuthClient, type OAuthClientRecord } from '../store/oauth-clients-repo.js';
import { NewOAuthClient, OAuthClientPatch, OAuthClientView, checkClientSettings, clientView } from './oauth-client-schema.js';
import { AdminError } from '../errors.js';
import { checkClientReferences } from './client-role-check.js';

const Params = z.object({ id: z.string().min(1).max(256) });
const WithSecret = OAuthClientView.extend({ secret: z.string().describe('shown this once: store it now') });
const tags = ['oauth-clients'];
const collection = '/api/v1/oauth-clients';
const item = `${collection}/{id}`;

const view = (c: OAuthClientRecord) => clientView(c, isoTime);

/** GET the collection and one client. */
function readEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  return [
    endpoint({
      method: 'get', path: collection, operationId: 'listOAuthClients', summary: 'List the OAuth clients (never their secrets)', tags, access: 'read',
      responses: { 200: { description: 'all clients', schema: z.object({ items: z.array(OAuthClientView) }) } },
      async handler() {
        return { body: { items: (await listOAuthClients(deps.store)).map(view) } };
      },
    }),
    endpoint({
      method: 'get', path: item, operationId: 'getOAuthClient', summary: 'Get an OAuth client (ETag: its version)', tags, access: 'read', params: Params,
      responses: { 200: { description: 'the client', schema: OAuthClientView } },
      async handler({ params }) {
        const c = await getOAuthClient(deps.store, params.id);
        return { body: view(c), version: c.version };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}

/** The endpoints of the OAuth clients resource. */
export function oauthClientEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  const now = deps.now ?? Date.now;
  const audit = (c: OAuthClientRecord) => view(c);
  return [
    ...readEndpoints(deps),
    endpoint({
      method: 'post', path: collection, operationId: 'createOAuthClient', summary: 'Register an OAuth client; a confidential one gets its secret in this answer only', tags, access: 'security:write',
      body: NewOAuthClient,
      bodyExample: { id: 'reporting', name: 'Nightly reporting', type: 'confidential', grants: ['client_credentials'], scopes: ['agents.read'], scopeRoles: { 'agents.read': ['viewer'] }, audiences: ['agents'] },
      responses: { 201: { description: 'created', schema: WithSecret } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const body = ctx.body;
        checkClientSettings(body.type, body);
        const { client, secret } = await applyChange(deps, actor, async (trx) => {
          await checkClientReferences(trx, body.audiences, body.scopeRoles);
          const r = await createOAuthClient(trx, body, now());
          return { result: r, services: r.client.audiences, audit: { action: 'oauth-client.create', resourceType: 'oauth-client', resourceId: r.client.id, before: null, after: audit(r.client) } };
        });
        return { status: 201, body: { ...view(client), ...(secret === undefined ? {} : { secret }) }, version: client.version, headers: { location: locationOf('oauth-clients', client.id) } };
      },
    }),
    endpoint({
      method: 'patch', path: item, operationId: 'updateOAuthClient', summary: 'Change an OAuth client (merge; `disabled: true` stops it; If-Match honoured)', tags, access: 'security:write', params: Params,
      body: OAuthClientPatch, bodyExample: { disabled: true },
      responses: { 200: { description: 'the client as stored now', schema: OAuthClientView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await getOAuthClient(trx, ctx.params.id);
          const next = { ...before, ...Object.fromEntries(Object.entries(ctx.body).filter(([, v]) => v !== undefined)) } as OAuthClientRecord;
          checkClientSettings(before.type, next);
          await checkClientReferences(trx, next.audiences, next.scopeRoles);
          const c = await updateOAuthClient(trx, before.id, next, expected, now());
          return { result: c, services: [...before.audiences, ...c.audiences], audit: { action: 'oauth-client.update', resourceType: 'oauth-client', resourceId: c.id, before: audit(before), after: audit(c) } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
    endpoint({
      method: 'delete', path: item, operationId: 'deleteOAuthClient', summary: 'Delete an OAuth client (If-Match honoured)', tags, access: 'security:write', params: Params,
      responses: { 204: { description: 'deleted' } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        await applyChange(deps, actor, async (trx) => {
          const before = await getOAuthClient(trx, ctx.params.id);
          await deleteOAuthClient(trx, before.id, expected);
          return { result: undefined, services: before.audiences, audit: { action: 'oauth-client.delete', resourceType: 'oauth-client', resourceId: before.id, before: audit(before), after: null } };
        });
        return { status: 204 };
      },
    }),
    endpoint({
      method: 'post', path: `${item}/rotate-secret`, operationId: 'rotateOAuthClientSecret', summary: 'Give a confidential client a new secret (the old one stops working now; If-Match honoured)', tags, access: 'security:write',
      params: Params,
      responses: { 200: { description: 'the client with its new secret, shown once', schema: WithSecret } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const secret = generateClientSecret();
        const c = await applyChange(deps, actor, async (trx) => {
          const before = await getOAuthClient(trx, ctx.params.id);
          if (before.type !== 'confidential') throw new AdminError('ADMIN_OAUTH_PUBLIC_CLIENT');
          const after = await updateOAuthClient(trx, before.id, before, expected, now(), secret);
          return { result: after, services: [], audit: { action: 'oauth-client.rotate-secret', resourceType: 'oauth-client', resourceId: after.id, before: audit(before), after: audit(after) } };
        });
        return { body: { ...view(c), secret }, version: c.version };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
