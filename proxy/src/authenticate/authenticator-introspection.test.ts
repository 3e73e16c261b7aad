import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Authentication } from '@agentcore/policies';
import { createIntrospectionAuthenticator, processIntrospectionResponse } from './authenticator-introspection.js';
import { compileClaimPath } from './claims.js';
import type { CredentialCheck } from './authenticator.js';

const SECRET = 's3cret/+=';
const ENV = { INTROSPECTION_SECRET: SECRET };
const nowS = () => Math.floor(Date.now() / 1000);

let server: Server;
let endpoint: string;
let requests = 0;
let delayMs = 0;
const answers = new Map<string, Record<string, unknown>>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    requests++;
    const expected = `Basic ${Buffer.from(`client-1:${new URLSearchParams({ v: SECRET }).toString().slice(2)}`).toString('base64')}`;
    if (req.method !== 'POST' || req.headers.authorization !== expected || req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      res.writeHead(401).end();
      return;
    }
    const form = new URLSearchParams(body);
    const answer = answers.get(form.get('token') ?? '') ?? { active: false };
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    }, delayMs);
  });
}

function authenticator(extra: Record<string, unknown> = {}, url = endpoint) {
  const auth = Authentication.parse({
    introspection: [{ id: 'idp', endpoint: url, clientId: 'client-1', clientSecretEnv: 'INTROSPECTION_SECRET', timeoutMs: 3000, audiences: ['orders-api'], ...extra }],
  });
  const config = auth.introspection[0];
  if (config === undefined) throw new Error('no config');
  return createIntrospectionAuthenticator(config, { env: ENV });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
  answers.set('good-token', { active: true, sub: 'svc-1', aud: ['orders-api'], scope: 'orders:read orders:write', roles: ['reader'], exp: nowS() + 600 });
  answers.set('other-aud', { active: true, sub: 'svc-1', aud: 'billing', exp: nowS() + 600 });
  answers.set('username-only', { active: true, username: 'bob', aud: 'orders-api' });
  answers.set('no-subject', { active: true, aud: 'orders-api' });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('processIntrospectionResponse', () => {
  const settings = { id: 'idp', audiences: ['a'], subject: compileClaimPath('sub'), roles: compileClaimPath('roles'), scopes: compileClaimPath('scope') };
  const now = 1_700_000_000_000;
  const cases: { name: string; body: Record<string, unknown>; expected: string }[] = [
    { name: 'active', body: { active: true, sub: 'x', aud: 'a' }, expected: 'ok' },
    { name: 'active "true" string is not active', body: { active: 'true', sub: 'x', aud: 'a' }, expected: 'TOKEN_INACTIVE' },
    { name: 'inactive', body: { active: false }, expected: 'TOKEN_INACTIVE' },
    { name: 'expired', body: { active: true, sub: 'x', aud: 'a', exp: now / 1000 - 1 }, expected: 'TOKEN_EXPIRED' },
    { name: 'not yet valid', body: { active: true, sub: 'x', aud: 'a', nbf: now / 1000 + 60 }, expected: 'TOKEN_NOT_YET_VALID' },
    { name: 'wrong audience', body: { active: true, sub: 'x', aud: ['b'] }, expected: 'INVALID_AUDIENCE' },
    { name: 'no audience', body: { active: true, sub: 'x' }, expected: 'INVALID_AUDIENCE' },
    { name: 'username fallback', body: { active: true, username: 'u', aud: 'a' }, expected: 'ok' },
    { name: 'no subject', body: { active: true, aud: 'a' }, expected: 'INVALID_TOKEN' },
    { name: 'token_type Bearer', body: { active: true, sub: 'x', aud: 'a', token_type: 'Bearer' }, expected: 'ok' },
    { name: 'token_type access_token URN', body: { active: true, sub: 'x', aud: 'a', token_type: 'urn:ietf:params:oauth:token-type:access_token' }, expected: 'ok' },
    { name: 'a refresh token, though active', body: { active: true, sub: 'x', aud: 'a', token_type: 'refresh_token' }, expected: 'INVALID_TOKEN' },
    { name: 'token_type Refresh (Keycloak style)', body: { active: true, sub: 'x', aud: 'a', token_type: 'Refresh' }, expected: 'INVALID_TOKEN' },
    { name: 'non-string token_type', body: { active: true, sub: 'x', aud: 'a', token_type: 1 }, expected: 'INVALID_TOKEN' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.expected}`, () => {
      const r = processIntrospectionResponse(c.body, settings, now);
      expect(r.ok ? 'ok' : r.reason).toBe(c.expected);
    });
  }
});

describe('introspection authenticator against a real RFC 7662 server', () => {
  it('turns an active answer into a principal', async () => {
    const r = await authenticator().authenticate('good-token', Date.now());
    expect(r).toMatchObject({ ok: true, principal: { id: 'svc-1', roles: ['reader'], scopes: ['orders:read', 'orders:write'], method: 'introspection', credentialId: 'idp' } });
  });

  it('falls back to username when sub is absent', async () => {
    const r = await authenticator().authenticate('username-only', Date.now());
    expect(r).toMatchObject({ ok: true, principal: { id: 'bob' } });
  });

  it.each([
    ['unknown-token', 'TOKEN_INACTIVE'],
    ['other-aud', 'INVALID_AUDIENCE'],
    ['no-subject', 'INVALID_TOKEN'],
  ])('%s → %s', async (token, reason) => {
    const r = await authenticator().authenticate(token, Date.now());
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  });

  it('answers a second lookup from the cache, synchronously, without a request', async () => {
    const a = authenticator();
    const before = requests;
    const first = await a.authenticate('good-token', Date.now());
    const second = a.authenticate('good-token', Date.now());
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
    expect(requests).toBe(before + 1);
  });

  it('caches inactive answers briefly, then asks again', async () => {
    const a = authenticator();
    const before = requests;
    const now = Date.now();
    await a.authenticate('flood-token', now);
    expect((a.authenticate('flood-token', now + 1000) as CredentialCheck).ok).toBe(false);
    expect(requests).toBe(before + 1);
    await a.authenticate('flood-token', now + 6000);
    expect(requests).toBe(before + 2);
  });

  it('never reuses an answer past cacheTtlSeconds', async () => {
    const a = authenticator({ cacheTtlSeconds: 1 });
    const before = requests;
    const now = Date.now();
    await a.authenticate('good-token', now);
    expect(a.authenticate('good-token', now + 1500)).toBeInstanceOf(Promise);
    await a.authenticate('good-token', now + 1500);
    expect(requests).toBe(before + 2);
  });

  it('coalesces concurrent lookups of one token into one request', async () => {
    const a = authenticator();
    const before = requests;
    const results = await Promise.all(Array.from({ length: 10 }, () => a.authenticate('good-token', Date.now())));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(requests).toBe(before + 1);
  });

  it('reports a timeout as INTROSPECTION_UNAVAILABLE and does not cache it', async () => {
    const a = authenticator({ timeoutMs: 100 });
    delayMs = 1000;
    try {
      const r = await a.authenticate('good-token', Date.now());
      expect(r).toMatchObject({ ok: false, reason: 'INTROSPECTION_UNAVAILABLE', message: expect.stringContaining('timed out') });
    } finally {
      delayMs = 0;
    }
    const retry = a.authenticate('good-token', Date.now());
    expect(retry).toBeInstanceOf(Promise);
    expect((await retry).ok).toBe(true);
  });

  it('reports a refused client secret (HTTP 401) as INTROSPECTION_UNAVAILABLE', async () => {
    const auth = Authentication.parse({ introspection: [{ id: 'idp', endpoint, clientId: 'client-1', clientSecretEnv: 'S' }] });
    const a = createIntrospectionAuthenticator(auth.introspection[0] ?? (undefined as never), { env: { S: 'wrong' } });
    const r = await a.authenticate('good-token', Date.now());
    expect(r.ok ? 'ok' : r.reason).toBe('INTROSPECTION_UNAVAILABLE');
  });

  it('reports a server that is down as INTROSPECTION_UNAVAILABLE', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}/introspect`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const r = await authenticator({}, url).authenticate('good-token', Date.now());
    expect(r).toMatchObject({ ok: false, reason: 'INTROSPECTION_UNAVAILABLE', message: expect.stringContaining('failed') });
  });

  it('refuses to build without the client secret in the environment', () => {
    const auth = Authentication.parse({ introspection: [{ id: 'idp', endpoint, clientId: 'client-1', clientSecretEnv: 'MISSING_SECRET' }] });
    expect(() => createIntrospectionAuthenticator(auth.introspection[0] ?? (undefined as never), { env: {} })).toThrow(/MISSING_SECRET is not set/);
  });
});
