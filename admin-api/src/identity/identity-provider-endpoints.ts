/**
 * `/api/v1/identity-providers`: list, get, create, replace (If-Match), delete (If-Match) and a
 * `POST …/{id}/test` action. Every change is audited in the same transaction; secrets are write-only,
 * stored encrypted (envelope, AES-256-GCM) and never returned or audited.
 */
import { z } from 'zod';
import type { Actor } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { encryptSecret, type KeyRing } from '../secrets/envelope.js';
import { providerSecretContext } from '../secrets/stored-secrets.js';
import { appendAuditEvent, type Store } from '../store/index.js';
import { deleteIdentityProvider, getIdentityProvider, insertIdentityProvider, listIdentityProviders, updateIdentityProvider, type IdentityProviderRow } from '../store/identity-providers-repo.js';
import { inTransaction, type Queryable } from '../store/queryable.js';
import { testProvider } from './provider-runtime.js';
import { IdentityProviderBody, splitSecret, StoredIdentityProvider, TestBody } from './provider-schema.js';

export interface IdentityProviderDeps {
  store: Store;
  /** undefined when no AGENTCORE_SECRET_KEY is configured: providers with secrets cannot be stored */
  keyRing: KeyRing | undefined;
  now?: () => number;
  /** called after a provider changed (e.g. to drop cached connections) */
  onProviderChange?: (id: string) => void;
}

const Params = z.object({ id: z.string().min(1).max(64) });
const tags = ['identity-providers'];
const iso = (ms: number) => new Date(Number(ms)).toISOString();

/** The API view of a row: config without secrets, plus `secretSet`. */
export function viewOf(row: IdentityProviderRow) {
  return {
    id: row.id,
    type: row.type,
    displayName: row.display_name,
    enabled: row.enabled === 1,
    domains: JSON.parse(row.domains) as string[],
    config: JSON.parse(row.config) as Record<string, unknown>,
    secretSet: row.secret !== null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    version: Number(row.version),
  };
}

const actorOf = (actor: Actor | undefined): Actor => {
  if (!actor) throw new AdminError('ADMIN_UNAUTHENTICATED', 'log in or send a personal access token');
  return actor;
};

/** Shared by the write endpoints: the clock, secret encryption, and audited transactions. */
function helpers(d: IdentityProviderDeps) {
  const now = d.now ?? Date.now;
  const encrypt = (id: string, secret: string | undefined): string | undefined => {
    if (secret === undefined) return undefined;
    if (!d.keyRing) throw new AdminError('ADMIN_SECRET_KEY_REQUIRED', 'this provider has a secret, and secrets are stored encrypted: start the admin API with AGENTCORE_SECRET_KEY or AGENTCORE_SECRET_KEY_FILE');
    return encryptSecret(d.keyRing, secret, providerSecretContext(id));
  };
  const audited = async <T>(actor: Actor, action: string, id: string, fn: (q: Queryable) => Promise<{ result: T; before: unknown; after: unknown }>): Promise<T> => {
    const r = await inTransaction(d.store, async (trx) => {
      const c = await fn(trx);
      await appendAuditEvent(trx, { at: now(), actor: actor.username, action, resourceType: 'identity-provider', resourceId: id, before: c.before, after: c.after, outcome: 'allowed' });
      return c.result;
    });
    d.onProviderChange?.(id);
    return r;
  };
  const auditView = (row: IdentityProviderRow) => {
    const { createdAt: _c, updatedAt: _u, ...rest } = viewOf(row);
    return rest;
  };

  return { now, encrypt, audited, auditView };
}
type Helpers = ReturnType<typeof helpers>;

function listEndpoint(d: IdentityProviderDeps) {
  return endpoint({
    method: 'get',
    path: '/api/v1/identity-providers',
    operationId: 'listIdentityProviders',
    summary: 'List identity providers (LDAP/AD, OIDC, local)',
    tags,
    access: 'read',
    responses: { 200: { description: 'every provider; secrets are never returned', schema: z.object({ items: z.array(StoredIdentityProvider) }) } },
    async handler() {
      return { body: { items: (await listIdentityProviders(d.store)).map(viewOf) } };
    },
  });
}

function getEndpoint(d: IdentityProviderDeps) {
  return endpoint({
    method: 'get',
    path: '/api/v1/identity-providers/{id}',
    operationId: 'getIdentityProvider',
    summary: 'Get one identity provider (ETag: its version)',
    tags,
    access: 'read',
    params: Params,
    responses: { 200: { description: 'the provider', schema: StoredIdentityProvider } },
    async handler({ params }) {
      const row = await getIdentityProvider(d.store, params.id);
      return { body: viewOf(row), version: Number(row.version) };
    },
  });
}

function createEndpoint(d: IdentityProviderDeps, h: Helpers) {
  return endpoint({
    method: 'post',
    path: '/api/v1/identity-providers',
    operationId: 'createIdentityProvider',
    summary: 'Create an identity provider',
    description: 'LDAP `config.bindPassword` and OIDC `config.clientSecret` are write-only: stored encrypted, never returned.',
    tags,
    access: 'security:write',
    body: IdentityProviderBody,
    bodyExample: { id: 'corp-ldap', type: 'ldap', displayName: 'Corporate directory', config: { url: 'ldaps://ldap.example.com:636', bindDn: 'cn=gateway,ou=system,dc=example,dc=com', bindPassword: '…', userBase: 'ou=people,dc=example,dc=com' } },
    responses: { 201: { description: 'created; Location and ETag set', schema: StoredIdentityProvider } },
    async handler({ body, actor }) {
      const { config, secret } = splitSecret(body);
      if (body.type === 'ldap' && secret === undefined) throw new AdminError('ADMIN_INPUT_INVALID', 'an LDAP provider needs config.bindPassword', { fields: [{ path: 'body.config.bindPassword', message: 'required' }] });
      const input = { type: body.type, displayName: body.displayName, enabled: body.enabled, domains: body.domains, config, secret: h.encrypt(body.id, secret) };
      const row = await h.audited(actorOf(actor), 'identity-provider.create', body.id, async (q) => {
        const r = await insertIdentityProvider(q, body.id, input, h.now());
        return { result: r, before: null, after: h.auditView(r) };
      });
      return { status: 201, body: viewOf(row), version: 1, headers: { location: `/api/v1/identity-providers/${encodeURIComponent(row.id)}` } };
    },
  });
}

function replaceEndpoint(d: IdentityProviderDeps, h: Helpers) {
  return endpoint({
    method: 'put',
    path: '/api/v1/identity-providers/{id}',
    operationId: 'replaceIdentityProvider',
    summary: 'Replace an identity provider (If-Match: "v<version>"); omit the secret to keep the stored one',
    tags,
    access: 'security:write',
    params: Params,
    body: IdentityProviderBody,
    responses: { 200: { description: 'the provider as stored now', schema: StoredIdentityProvider } },
    async handler({ req, params, body, actor }) {
      if (body.id !== params.id) throw new AdminError('ADMIN_INPUT_INVALID', 'the provider id cannot change', { fields: [{ path: 'body.id', message: `must be "${params.id}"` }] });
      const expected = expectedVersion(req);
      const { config, secret } = splitSecret(body);
      const input = { type: body.type, displayName: body.displayName, enabled: body.enabled, domains: body.domains, config, secret: h.encrypt(body.id, secret) };
      const row = await h.audited(actorOf(actor), 'identity-provider.update', params.id, async (q) => {
        const before = await getIdentityProvider(q, params.id);
        const r = await updateIdentityProvider(q, params.id, input, expected, h.now());
        return { result: r, before: h.auditView(before), after: { ...h.auditView(r), secretChanged: secret !== undefined } };
      });
      return { body: viewOf(row), version: Number(row.version) };
    },
  });
}

function deleteEndpoint(d: IdentityProviderDeps, h: Helpers) {
  return endpoint({
    method: 'delete',
    path: '/api/v1/identity-providers/{id}',
    operationId: 'deleteIdentityProvider',
    summary: 'Delete an identity provider (If-Match honoured)',
    tags,
    access: 'security:write',
    params: Params,
    responses: { 204: { description: 'deleted' } },
    async handler({ req, params, actor }) {
      const expected = expectedVersion(req);
      await h.audited(actorOf(actor), 'identity-provider.delete', params.id, async (q) => {
        const before = await getIdentityProvider(q, params.id);
        await deleteIdentityProvider(q, params.id, expected);
        return { result: undefined, before: h.auditView(before), after: null };
      });
      return { status: 204 };
    },
  });
}

function testEndpoint(d: IdentityProviderDeps) {
  return endpoint({
    method: 'post',
    path: '/api/v1/identity-providers/{id}/test',
    operationId: 'testIdentityProvider',
    summary: 'Test a provider: connect, bind, and (LDAP) look up a sample user with groups and mapped roles',
    tags,
    access: 'security:write',
    params: Params,
    body: TestBody,
    bodyExample: { username: 'alice' },
    responses: { 200: { description: 'what the test found, step by step (ok false when a step failed)', schema: z.object({ ok: z.boolean() }).loose() } },
    async handler({ params, body }) {
      const row = await getIdentityProvider(d.store, params.id);
      return { body: await testProvider(row, d.keyRing, body.username) };
    },
  });
}

/** The identity-provider endpoints. */
export function identityProviderEndpoints(d: IdentityProviderDeps): EndpointSpec<never, never, never>[] {
  const h = helpers(d);
  return [listEndpoint(d), getEndpoint(d), createEndpoint(d, h), replaceEndpoint(d, h), deleteEndpoint(d, h), testEndpoint(d)] as EndpointSpec<never, never, never>[];
}
