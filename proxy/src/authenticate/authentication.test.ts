import { describe, it, expect, beforeAll } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { Authentication } from '@agentcore/policies';
import type { AuthMethod } from '@agentcore/policies';
import { createAuthenticationStage } from './authentication.js';
import type { AuthenticationStage } from './authentication.js';
import { hashApiKey } from './authenticator-api-key.js';
import type { AuthOutcome } from './principal.js';

const ISS = 'https://idp.example.com';
const nowS = () => Math.floor(Date.now() / 1000);
let privateKey: CryptoKey;
let publicJwk: JWK;
let introspected: string[];

const fakeIntrospection = (async (_url: string | URL | Request, init?: RequestInit) => {
  const token = new URLSearchParams(String(init?.body)).get('token') ?? '';
  introspected.push(token);
  const active = token === 'opaque-good' || token.startsWith('eyJ');
  return new Response(JSON.stringify(active ? { active: true, sub: 'svc-9', aud: 'orders-api' } : { active: false }), { status: 200 });
}) as typeof fetch;

function sign(claims: JWTPayload): Promise<string> {
  return new SignJWT({ iss: ISS, aud: 'orders-api', sub: 'user-1', exp: nowS() + 300, ...claims }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
}

async function stage(parts: { jwt?: boolean; apiKeys?: boolean; introspection?: boolean } = { jwt: true, apiKeys: true, introspection: true }): Promise<AuthenticationStage> {
  const auth = Authentication.parse({
    jwt: parts.jwt ? [{ id: 'main', issuer: ISS, audiences: ['orders-api'], jwks: { keys: [publicJwk] } }] : [],
    apiKeys: parts.apiKeys ? [{ id: 'k', sha256: hashApiKey('ak_1'), principal: 'svc-1' }] : [],
    introspection: parts.introspection
      ? [{ id: 'idp', endpoint: 'https://idp.example.com/introspect', clientId: 'c', clientSecretEnv: 'SECRET', audiences: ['orders-api'] }]
      : [],
  });
  return createAuthenticationStage(auth, { env: { SECRET: 'x' }, fetch: fakeIntrospection });
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' };
  introspected = [];
});

describe('authentication stage: dispatch and challenges', () => {
  it('asks for credentials with a Bearer and an ApiKey challenge', async () => {
    const s = await stage();
    expect(s.authenticate({}, undefined, Date.now())).toEqual({
      ok: false,
      reason: 'NO_CREDENTIALS',
      message: expect.any(String),
      wwwAuthenticate: 'Bearer realm="agentcore", ApiKey realm="agentcore"',
      status: 401,
    });
    expect((s.authenticate({}, ['jwt'], Date.now()) as AuthOutcome & { ok: false }).wwwAuthenticate).toBe('Bearer realm="agentcore"');
    expect((s.authenticate({}, ['api-key'], Date.now()) as AuthOutcome & { ok: false }).wwwAuthenticate).toBe('ApiKey realm="agentcore"');
  });

  const table: { name: string; headers: () => Promise<Record<string, string>>; accepted?: AuthMethod[]; parts?: Parameters<typeof stage>[0]; expected: string; sync?: boolean }[] = [
    { name: 'API key, synchronously', headers: async () => ({ 'x-api-key': 'ak_1' }), expected: 'ok', sync: true },
    { name: 'unknown API key', headers: async () => ({ authorization: 'ApiKey nope' }), expected: 'UNKNOWN_API_KEY', sync: true },
    { name: 'API key on a JWT-only route', headers: async () => ({ 'x-api-key': 'ak_1' }), accepted: ['jwt'], expected: 'METHOD_NOT_ACCEPTED', sync: true },
    { name: 'API key when the bundle has none', headers: async () => ({ 'x-api-key': 'ak_1' }), parts: { jwt: true }, expected: 'METHOD_NOT_ACCEPTED' },
    { name: 'JWT', headers: async () => ({ authorization: `Bearer ${await sign({})}` }), expected: 'ok' },
    { name: 'JWT on an API-key-only route', headers: async () => ({ authorization: `Bearer ${await sign({})}` }), accepted: ['api-key'], expected: 'METHOD_NOT_ACCEPTED' },
    { name: 'opaque token → introspection', headers: async () => ({ authorization: 'Bearer opaque-good' }), expected: 'ok' },
    { name: 'inactive opaque token', headers: async () => ({ authorization: 'Bearer opaque-bad' }), expected: 'TOKEN_INACTIVE' },
    { name: 'opaque token, JWT only', headers: async () => ({ authorization: 'Bearer opaque-good' }), parts: { jwt: true }, expected: 'INVALID_TOKEN' },
    { name: 'opaque token on a JWT-only route', headers: async () => ({ authorization: 'Bearer opaque-good' }), accepted: ['jwt'], expected: 'INVALID_TOKEN' },
    { name: 'JWT of an unknown issuer → introspection', headers: async () => ({ authorization: `Bearer ${await sign({ iss: 'https://other' })}` }), expected: 'ok' },
    { name: 'JWT of an unknown issuer, no introspection', headers: async () => ({ authorization: `Bearer ${await sign({ iss: 'https://other' })}` }), parts: { jwt: true }, expected: 'UNKNOWN_ISSUER' },
    { name: 'JWT, introspection only → introspection', headers: async () => ({ authorization: `Bearer ${await sign({})}` }), parts: { introspection: true }, expected: 'ok' },
    { name: 'Basic', headers: async () => ({ authorization: 'Basic dXNlcjpwYXNz' }), expected: 'MALFORMED_CREDENTIALS', sync: true },
  ];
  for (const c of table) {
    it(`${c.name} → ${c.expected}`, async () => {
      const s = await stage(c.parts);
      const r = s.authenticate(await c.headers(), c.accepted, Date.now());
      if (c.sync === true) expect(r).not.toBeInstanceOf(Promise);
      const o = await r;
      expect(o.ok ? 'ok' : o.reason).toBe(c.expected);
      if (!o.ok) expect(o.status).toBe(401);
    });
  }

  it('builds an RFC 6750 invalid_token challenge', async () => {
    const s = await stage();
    const o = await s.authenticate({ authorization: `Bearer ${await sign({ exp: nowS() - 60 })}` }, undefined, Date.now());
    expect(o).toMatchObject({
      ok: false,
      reason: 'TOKEN_EXPIRED',
      status: 401,
      wwwAuthenticate: 'Bearer realm="agentcore", error="invalid_token", error_description="the token has expired"',
    });
  });

  it('builds an invalid_request challenge for malformed credentials', async () => {
    const s = await stage({ jwt: true });
    const o = s.authenticate({ authorization: 'Basic x' }, undefined, Date.now()) as AuthOutcome;
    expect(!o.ok && o.wwwAuthenticate).toBe(
      `Bearer realm="agentcore", error="invalid_request", error_description="unsupported Authorization scheme; use 'Authorization: Bearer <token>', 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'"`,
    );
  });

  it('answers a repeated JWT synchronously with the same principal', async () => {
    const s = await stage();
    const headers = { authorization: `Bearer ${await sign({})}` };
    const first = await s.authenticate(headers, undefined, Date.now());
    const second = s.authenticate(headers, undefined, Date.now());
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(first);
  });

  it('maps an unreachable JWKS to 503 without an error code in the challenge', async () => {
    const auth = Authentication.parse({ jwt: [{ id: 'r', issuer: ISS, audiences: ['orders-api'], jwksUri: 'https://idp.example.com/jwks' }] });
    const s = await createAuthenticationStage(auth, { fetch: (async () => Promise.reject(new TypeError('fetch failed'))) as typeof fetch });
    const o = await s.authenticate({ authorization: `Bearer ${await sign({})}` }, undefined, Date.now());
    expect(o).toMatchObject({ ok: false, reason: 'JWKS_UNAVAILABLE', status: 503, wwwAuthenticate: 'Bearer realm="agentcore"' });
    s.close();
  });

  it('fails at build time when an introspection secret is missing', async () => {
    const auth = Authentication.parse({ introspection: [{ id: 'idp', endpoint: 'https://idp.example.com/i', clientId: 'c', clientSecretEnv: 'NOT_SET_ANYWHERE' }] });
    await expect(createAuthenticationStage(auth, { env: {} })).rejects.toThrow(/NOT_SET_ANYWHERE is not set/);
  });

  it('measures a cache hit against a full verification', async () => {
    const s = await stage({ jwt: true });
    const tokens = await Promise.all(Array.from({ length: 300 }, (_, i) => sign({ jti: String(i) })));
    const now = Date.now();
    let t0 = performance.now();
    for (const t of tokens) await s.authenticate({ authorization: `Bearer ${t}` }, undefined, now);
    const verifyUs = ((performance.now() - t0) * 1000) / tokens.length;
    const headers = tokens.map((t) => ({ authorization: `Bearer ${t}` }));
    t0 = performance.now();
    for (let round = 0; round < 100; round++) for (const h of headers) s.authenticate(h, undefined, now);
    const hitUs = ((performance.now() - t0) * 1000) / (100 * headers.length);
    console.log(`JWT verify ${verifyUs.toFixed(1)} µs, cache hit ${hitUs.toFixed(2)} µs (incl. header extraction)`);
    expect(hitUs).toBeLessThan(verifyUs);
  });
});
