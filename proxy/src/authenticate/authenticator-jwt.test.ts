import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import { Authentication } from '@agentcore/policies';
import { createJwtAuthenticator } from './authenticator-jwt.js';
import type { JwtAuthenticator } from './authenticator-jwt.js';
import type { CredentialCheck } from './authenticator.js';

const ISS = 'https://idp.example.com';
const AUD = 'orders-api';
const nowS = () => Math.floor(Date.now() / 1000);

let rsaPrivate: CryptoKey;
let rsaPublicJwk: JWK;
let rsaSpki: string;
let otherPrivate: CryptoKey;
let ecPrivate: CryptoKey;
let ecPublicJwk: JWK;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function sign(claims: JWTPayload, opts: { key?: CryptoKey; alg?: string; kid?: string } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'rsa-1' }).sign(opts.key ?? rsaPrivate);
}

function baseClaims(extra: JWTPayload = {}): JWTPayload {
  return { iss: ISS, aud: AUD, sub: 'user-1', iat: nowS(), exp: nowS() + 300, ...extra };
}

async function inlineAuthenticator(issuerExtra: Record<string, unknown> = {}): Promise<JwtAuthenticator> {
  const auth = Authentication.parse({
    jwt: [{ id: 'main', issuer: ISS, audiences: [AUD], jwks: { keys: [rsaPublicJwk, ecPublicJwk] }, ...issuerExtra }],
  });
  return createJwtAuthenticator(auth.jwt);
}

async function settle(r: CredentialCheck | Promise<CredentialCheck>): Promise<CredentialCheck> {
  return r;
}

beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  rsaPrivate = rsa.privateKey;
  rsaPublicJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  rsaSpki = await exportSPKI(rsa.publicKey);
  otherPrivate = (await generateKeyPair('RS256')).privateKey;
  const ec = await generateKeyPair('ES256');
  ecPrivate = ec.privateKey;
  ecPublicJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' };
});

describe('JWT authenticator: bad tokens', () => {
  const cases: { name: string; token: () => Promise<string>; reason: string; issuer?: Record<string, unknown> }[] = [
    { name: 'malformed', token: async () => 'abc.def.ghi', reason: 'INVALID_TOKEN' },
    { name: 'alg none', token: async () => `${b64url({ alg: 'none', kid: 'rsa-1' })}.${b64url(baseClaims())}.`, reason: 'INVALID_TOKEN' },
    {
      name: 'HS256 signed with the public key as HMAC secret',
      token: () => new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(rsaSpki)),
      reason: 'INVALID_TOKEN',
    },
    {
      name: 'HS256 signed with the JWK modulus as secret',
      token: () => new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JSON.stringify(rsaPublicJwk))),
      reason: 'INVALID_TOKEN',
    },
    { name: 'signed by another key under our kid', token: () => sign(baseClaims(), { key: otherPrivate }), reason: 'INVALID_TOKEN' },
    { name: 'expired', token: () => sign(baseClaims({ iat: nowS() - 600, exp: nowS() - 60 })), reason: 'TOKEN_EXPIRED' },
    { name: 'expired just beyond the tolerance', token: () => sign(baseClaims({ exp: nowS() - 6 })), reason: 'TOKEN_EXPIRED' },
    { name: 'not yet valid (nbf)', token: () => sign(baseClaims({ nbf: nowS() + 60 })), reason: 'TOKEN_NOT_YET_VALID' },
    { name: 'wrong audience', token: () => sign(baseClaims({ aud: 'billing-api' })), reason: 'INVALID_AUDIENCE' },
    { name: 'no audience', token: () => sign(baseClaims({ aud: undefined })), reason: 'INVALID_AUDIENCE' },
    { name: 'unknown issuer', token: () => sign(baseClaims({ iss: 'https://evil.example.com' })), reason: 'UNKNOWN_ISSUER' },
    { name: 'no exp', token: () => sign(baseClaims({ exp: undefined })), reason: 'INVALID_TOKEN' },
    { name: 'no sub', token: () => sign(baseClaims({ sub: undefined })), reason: 'INVALID_TOKEN' },
    { name: 'algorithm not in the allowlist', token: () => sign(baseClaims(), { key: ecPrivate, alg: 'ES256', kid: 'ec-1' }), reason: 'INVALID_TOKEN', issuer: { algorithms: ['RS256'] } },
    // issue #9
    { name: 'iat in the future beyond the tolerance', token: () => sign(baseClaims({ iat: nowS() + 120 })), reason: 'TOKEN_NOT_YET_VALID' },
    { name: 'exp ten years ahead (beyond the default maxLifetimeSeconds of a day)', token: () => sign(baseClaims({ exp: nowS() + 10 * 365 * 86400 })), reason: 'INVALID_TOKEN' },
    { name: 'exp ten years ahead, no iat', token: () => sign(baseClaims({ iat: undefined, exp: nowS() + 10 * 365 * 86400 })), reason: 'INVALID_TOKEN' },
    { name: 'lifetime over maxLifetimeSeconds', token: () => sign(baseClaims({ exp: nowS() + 600 })), reason: 'INVALID_TOKEN', issuer: { maxLifetimeSeconds: 300 } },
    { name: 'typ required, none sent', token: () => sign(baseClaims()), reason: 'INVALID_TOKEN', issuer: { typ: 'at+jwt' } },
    {
      name: 'typ required, another sent',
      token: () => new SignJWT(baseClaims()).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', typ: 'JWT' }).sign(rsaPrivate),
      reason: 'INVALID_TOKEN',
      issuer: { typ: 'at+jwt' },
    },
    { name: 'older than maxTokenAge', token: () => sign(baseClaims({ iat: nowS() - 120 })), reason: 'TOKEN_EXPIRED', issuer: { maxTokenAgeSeconds: 60 } },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.reason}`, async () => {
      const a = await inlineAuthenticator(c.issuer);
      const r = await settle(a.authenticate(await c.token(), Date.now()));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(c.reason);
        expect(r.message).not.toContain('eyJ');
      }
    });
  }
});

describe('JWT authenticator: accepted tokens', () => {
  it('accepts iat within the tolerance, a long lifetime when maxLifetimeSeconds is 0, and the required typ (issue #9)', async () => {
    expect((await settle((await inlineAuthenticator()).authenticate(await sign(baseClaims({ iat: nowS() + 3 })), Date.now()))).ok).toBe(true);
    const long = await sign(baseClaims({ exp: nowS() + 10 * 365 * 86400 }));
    expect((await settle((await inlineAuthenticator({ maxLifetimeSeconds: 0 })).authenticate(long, Date.now()))).ok).toBe(true);
    const typed = await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' }).sign(rsaPrivate);
    expect((await settle((await inlineAuthenticator({ typ: 'at+jwt' })).authenticate(typed, Date.now()))).ok).toBe(true);
  });

  it('accepts a token within the clock tolerance', async () => {
    const a = await inlineAuthenticator();
    const r = await settle(a.authenticate(await sign(baseClaims({ exp: nowS() - 3 })), Date.now()));
    expect(r.ok).toBe(true);
  });

  it('accepts an ES256 token by kid', async () => {
    const a = await inlineAuthenticator();
    const r = await settle(a.authenticate(await sign(baseClaims(), { key: ecPrivate, alg: 'ES256', kid: 'ec-1' }), Date.now()));
    expect(r.ok).toBe(true);
  });

  it('maps subject, nested roles and space-separated scopes', async () => {
    const a = await inlineAuthenticator({ claims: { subject: 'preferred_username', roles: 'realm_access.roles', scopes: 'scope' } });
    const exp = nowS() + 300;
    const token = await sign(baseClaims({ exp, preferred_username: 'alice', realm_access: { roles: ['admin', 'viewer'] }, scope: 'orders:read  orders:write' }));
    const r = await settle(a.authenticate(token, Date.now()));
    expect(r).toEqual({
      ok: true,
      principal: { id: 'alice', roles: ['admin', 'viewer'], scopes: ['orders:read', 'orders:write'], method: 'jwt', credentialId: 'main', expiresAt: exp * 1000 },
    });
  });

  it('refuses a token whose mapped subject is missing', async () => {
    const a = await inlineAuthenticator({ claims: { subject: 'email' } });
    const r = await settle(a.authenticate(await sign(baseClaims()), Date.now()));
    expect(r.ok ? 'ok' : r.reason).toBe('INVALID_TOKEN');
  });

  it('answers a repeated token synchronously from the cache with the same principal', async () => {
    const a = await inlineAuthenticator();
    const token = await sign(baseClaims());
    const first = a.authenticate(token, Date.now());
    expect(first).toBeInstanceOf(Promise);
    const verified = await first;
    const second = a.authenticate(token, Date.now());
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(verified);
    expect((second as CredentialCheck).ok).toBe(true);
  });

  it('refuses a cached token once it has expired (beyond the tolerance)', async () => {
    const a = await inlineAuthenticator();
    const exp = nowS() + 60;
    const token = await sign(baseClaims({ exp }));
    expect((await settle(a.authenticate(token, Date.now()))).ok).toBe(true);
    expect((a.authenticate(token, (exp + 4) * 1000) as CredentialCheck).ok).toBe(true);
    const late = a.authenticate(token, (exp + 5) * 1000);
    expect(late).not.toBeInstanceOf(Promise);
    expect(late).toMatchObject({ ok: false, reason: 'TOKEN_EXPIRED' });
  });

  it('coalesces concurrent verifications of one token', async () => {
    const a = await inlineAuthenticator();
    const token = await sign(baseClaims());
    const p1 = a.authenticate(token, Date.now());
    const p2 = a.authenticate(token, Date.now());
    expect(p1).toBe(p2);
  });

  it('bounds the verified-token cache', async () => {
    const auth = Authentication.parse({ jwt: [{ id: 'main', issuer: ISS, audiences: [AUD], jwks: { keys: [rsaPublicJwk] } }] });
    const a = await createJwtAuthenticator(auth.jwt, { verifiedTokenCacheMax: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => sign(baseClaims({ jti: String(i) }))));
    for (const t of tokens) await a.authenticate(t, Date.now());
    expect(a.authenticate(tokens[0] ?? '', Date.now())).toBeInstanceOf(Promise);
    expect(a.authenticate(tokens[2] ?? '', Date.now())).not.toBeInstanceOf(Promise);
  });
});

describe('JWT authenticator: configuration', () => {
  it('refuses two issuers with the same iss', async () => {
    const auth = Authentication.parse({
      jwt: [
        { id: 'a', issuer: ISS, audiences: [AUD], jwks: { keys: [rsaPublicJwk] } },
        { id: 'b', issuer: ISS, audiences: ['x'], jwks: { keys: [rsaPublicJwk] } },
      ],
    });
    await expect(createJwtAuthenticator(auth.jwt)).rejects.toThrow(/same issuer/);
  });

  it('refuses a JWKS with no key usable for the allowed algorithms', async () => {
    const auth = Authentication.parse({ jwt: [{ id: 'a', issuer: ISS, audiences: [AUD], jwks: { keys: [ecPublicJwk] }, algorithms: ['RS256'] }] });
    await expect(createJwtAuthenticator(auth.jwt)).rejects.toThrow(/no key of its jwks/);
  });
});

describe('JWT authenticator: remote JWKS', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [rsaPublicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('verifies through the JWKS endpoint, respects the cooldown, and reports an unreachable endpoint as JWKS_UNAVAILABLE', async () => {
    const auth = Authentication.parse({ jwt: [{ id: 'remote', issuer: ISS, audiences: [AUD], jwksUri: url }] });
    const a = await createJwtAuthenticator(auth.jwt, { jwksCooldownMs: 60_000 });
    const ok = await settle(a.authenticate(await sign(baseClaims()), Date.now()));
    expect(ok.ok).toBe(true);
    const afterFirst = requests;
    expect(afterFirst).toBeGreaterThanOrEqual(1);

    // An unknown kid during the cooldown: no new fetch, the token is simply invalid.
    for (let i = 0; i < 5; i++) {
      const r = await settle(a.authenticate(await sign(baseClaims({ jti: String(i) }), { kid: 'rotated' }), Date.now()));
      expect(r.ok ? 'ok' : r.reason).toBe('INVALID_TOKEN');
    }
    expect(requests).toBe(afterFirst);
    a.close();

    // Endpoint down, nothing fetched yet, unknown kid → 503-class reason.
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const down = await createJwtAuthenticator(auth.jwt, { jwksCooldownMs: 0, jwksTimeoutMs: 1000 });
    const r = await settle(down.authenticate(await sign(baseClaims(), { kid: 'unknown' }), Date.now()));
    expect(r.ok ? 'ok' : r.reason).toBe('JWKS_UNAVAILABLE');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('keeps using fetched keys when the endpoint goes down, but reports JWKS_UNAVAILABLE for a kid it cannot refresh', async () => {
    let up = true;
    let count = 0;
    const fakeFetch = (async () => {
      count++;
      if (!up) throw new TypeError('fetch failed');
      return new Response(JSON.stringify({ keys: [rsaPublicJwk] }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const auth = Authentication.parse({ jwt: [{ id: 'remote', issuer: ISS, audiences: [AUD], jwksUri: 'https://idp.example.com/jwks' }] });
    const a = await createJwtAuthenticator(auth.jwt, { fetch: fakeFetch, jwksCooldownMs: 0, jwksCacheMaxAgeMs: 0 });
    expect((await settle(a.authenticate(await sign(baseClaims()), Date.now()))).ok).toBe(true);
    up = false;
    const stale = await settle(a.authenticate(await sign(baseClaims({ jti: 'x' })), Date.now()));
    expect(stale.ok).toBe(true);
    const unknown = await settle(a.authenticate(await sign(baseClaims({ jti: 'y' }), { kid: 'new' }), Date.now()));
    expect(unknown.ok ? 'ok' : unknown.reason).toBe('JWKS_UNAVAILABLE');
    expect(count).toBeGreaterThanOrEqual(3);
  });

  it('times out a slow JWKS endpoint as JWKS_UNAVAILABLE', async () => {
    const slow = createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const auth = Authentication.parse({
        jwt: [{ id: 'slow', issuer: ISS, audiences: [AUD], jwksUri: `http://127.0.0.1:${(slow.address() as AddressInfo).port}/jwks` }],
      });
      const a = await createJwtAuthenticator(auth.jwt, { jwksTimeoutMs: 100 });
      const r = await settle(a.authenticate(await sign(baseClaims()), Date.now()));
      expect(r.ok ? 'ok' : r.reason).toBe('JWKS_UNAVAILABLE');
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });
});
