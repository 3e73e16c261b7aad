// Console SSO end to end at the HTTP level: admin API (real auth module) ↔ a real oidc-provider, following
// redirects with a cookie jar like a browser. Negative cases: wrong audience, wrong nonce, replayed answer,
// no mapped role, forged state.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../test/support/oidc-idp.js';
import { createAuth } from '../auth/index.js';
import { masterKeyFrom, type KeyRing } from '../secrets/envelope.js';
import { identityProviderEndpoints } from './identity-provider-endpoints.js';
import { ssoEndpoints } from './sso-endpoints.js';
import { startIdentityServer, type IdentityTestServer } from './test-identity-server.js';

const ring: KeyRing = { current: masterKeyFrom(randomBytes(32)), previous: [] };
const OWNER_PASSWORD = 'owner-password-for-sso-tests';
let srv: IdentityTestServer;
let idp: TestIdp;

/** A browser-like walk: follows redirects across both servers with one cookie jar; returns every hop. */
async function walk(start: string, jar: Map<string, string>, maxHops = 15, accept?: string): Promise<{ url: string; status: number; location: string | null; body: string }[]> {
  const hops: { url: string; status: number; location: string | null; body: string }[] = [];
  let url = start;
  for (let i = 0; i < maxHops; i++) {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...(accept ? { accept } : {}) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location');
    hops.push({ url, status: res.status, location, body: await res.text() });
    if (res.status < 300 || res.status >= 400 || !location) break;
    url = new URL(location, url).href;
    if (url.startsWith(srv.base) && !url.includes('/api/')) break; // landed in the console
  }
  return hops;
}

const callbackHop = (hops: Awaited<ReturnType<typeof walk>>) => hops.find((h) => h.url.includes('/api/v1/sso/kc/callback'));

async function whoAmI(jar: Map<string, string>): Promise<{ status: number; body: { username?: string; role?: string } }> {
  const s = jar.get('agentcore_session');
  const res = await fetch(`${srv.base}/api/v1/session`, { headers: s ? { cookie: `agentcore_session=${s}` } : {} });
  return { status: res.status, body: (await res.json()) as { username?: string; role?: string } };
}

describe('console SSO with a real oidc-provider', () => {
  beforeAll(async () => {
    srv = await startIdentityServer(async (store, base) => {
      const auth = await createAuth(store, { log: pino({ level: 'silent' }), secureCookies: false });
      await auth.bootstrapOwner(OWNER_PASSWORD);
      const sso = ssoEndpoints({ store, keyRing: ring, publicUrl: base, sessionTtlMs: 3_600_000, secureCookies: false });
      return { guard: auth.guard, endpoints: [...auth.endpoints, ...identityProviderEndpoints({ store, keyRing: ring }), ...sso] };
    });
    idp = await startTestIdp(`${srv.base}/api/v1/sso/kc/callback`);
    idp.users = { alice: { groups: ['gw-security', 'staff'] }, bob: { groups: ['staff'] }, admin: { groups: ['gw-owners'] } };
    const login = await fetch(`${srv.base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: OWNER_PASSWORD }) });
    const { csrfToken: csrf_token } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const created = await fetch(`${srv.base}/api/v1/identity-providers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token },
      body: JSON.stringify({
        id: 'kc',
        type: 'oidc',
        displayName: 'Keycloak',
        config: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, mapping: { adminRoles: { 'gw-security': ['security-admin'], 'gw-owners': ['owner'] } } },
      }),
    });
    expect(created.status).toBe(201);
  }, 30_000);
  afterAll(async () => {
    await idp?.close();
    await srv?.close();
  });

  it('lists the provider for the sign-in page', async () => {
    const r = await fetch(`${srv.base}/api/v1/sso/providers`);
    expect(await r.json()).toEqual({ items: [{ id: 'kc', displayName: 'Keycloak', startUrl: '/api/v1/sso/kc/start' }] });
  });

  it('signs alice in: PKCE + state + nonce, the session cookie of the password login, the mapped role', async () => {
    idp.nextUser = 'alice';
    const jar = new Map<string, string>();
    const hops = await walk(`${srv.base}/api/v1/sso/kc/start?returnTo=/console/services`, jar);
    const authorize = new URL(hops[0]?.location ?? '');
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const cb = callbackHop(hops);
    expect(cb?.status).toBe(302);
    expect(cb?.location).toBe('/console/services');
    expect(jar.get('agentcore_session')).toBeTruthy();
    expect(await whoAmI(jar)).toMatchObject({ status: 200, body: { username: 'sso:kc:alice', role: 'security-admin' } });

    // Replaying the same answer (state + code) is refused and sets no cookie.
    const replay = await fetch(cb?.url ?? '', { redirect: 'manual' });
    expect(replay.status).toBe(401);
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(/unknown, expired or already used/);
  }, 30_000);

  it('a user whose groups map to no console role gets a clear 403, not an empty console', async () => {
    idp.nextUser = 'bob';
    const jar = new Map<string, string>();
    const cb = callbackHop(await walk(`${srv.base}/api/v1/sso/kc/start`, jar));
    expect(cb?.status).toBe(403);
    expect(JSON.parse(cb?.body ?? '{}').error.message).toMatch(/you signed in as "bob", but none of your groups is mapped to a console role/);
    expect(jar.has('agentcore_session')).toBe(false);
  }, 30_000);

  it('a browser navigation is sent back to the console sign-in page with the refusal code, not JSON', async () => {
    const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    idp.nextUser = 'bob';
    const jar = new Map<string, string>();
    const cb = callbackHop(await walk(`${srv.base}/api/v1/sso/kc/start`, jar, 15, html));
    expect([cb?.status, cb?.location]).toEqual([302, '/sign-in?sso_error=NO_ROLE']);
    expect(jar.has('agentcore_session')).toBe(false);
    const forged = await fetch(`${srv.base}/api/v1/sso/kc/callback?code=abc&state=forged`, { redirect: 'manual', headers: { accept: html } });
    expect([forged.status, forged.headers.get('location')]).toEqual([302, '/sign-in?sso_error=REFUSED']);
    const unknown = await fetch(`${srv.base}/api/v1/sso/nope/start`, { redirect: 'manual', headers: { accept: html } });
    expect([unknown.status, unknown.headers.get('location')]).toEqual([302, '/sign-in?sso_error=UNKNOWN_PROVIDER']);
    // an API client asking for JSON still gets the error body
    const api = await fetch(`${srv.base}/api/v1/sso/kc/callback?code=abc&state=forged`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect([api.status, ((await api.json()) as { error: { code: string } }).error.code]).toEqual([401, 'UNAUTHENTICATED']);
  }, 30_000);

  for (const tamper of ['audience', 'nonce'] as const) {
    it(`an ID token with the wrong ${tamper} (validly signed) is refused`, async () => {
      idp.nextUser = 'admin';
      idp.tamper = tamper;
      try {
        const jar = new Map<string, string>();
        const cb = callbackHop(await walk(`${srv.base}/api/v1/sso/kc/start`, jar));
        expect(cb?.status).toBe(401);
        expect(JSON.parse(cb?.body ?? '{}').error.message).toMatch(tamper === 'audience' ? /"aud"/ : /"nonce"/);
        expect(jar.has('agentcore_session')).toBe(false);
      } finally {
        idp.tamper = 'none';
      }
    }, 30_000);
  }

  it('a forged or missing state is refused; an unknown provider is 404; a foreign returnTo is ignored', async () => {
    expect((await fetch(`${srv.base}/api/v1/sso/kc/callback?code=abc&state=forged`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${srv.base}/api/v1/sso/kc/callback?code=abc`, { redirect: 'manual' })).status).toBe(401);
    expect((await fetch(`${srv.base}/api/v1/sso/nope/start`, { redirect: 'manual' })).status).toBe(404);
    idp.nextUser = 'admin';
    const jar = new Map<string, string>();
    const cb = callbackHop(await walk(`${srv.base}/api/v1/sso/kc/start?returnTo=//evil.example/x`, jar));
    expect(cb?.location).toBe('/');
    expect(await whoAmI(jar)).toMatchObject({ body: { username: 'sso:kc:admin', role: 'owner' } });
  }, 30_000);

  it('an unreachable IdP is a clear 503 within the timeout', async () => {
    await idp.close();
    const t0 = Date.now();
    const r = await fetch(`${srv.base}/api/v1/sso/kc/start`, { redirect: 'manual' });
    // discovery is cached for 10 minutes, so start still redirects; the token exchange then fails with 503
    if (r.status === 302) {
      const cb = await fetch(`${srv.base}/api/v1/sso/kc/callback?code=x&iss=${encodeURIComponent(idp.issuer)}&state=${new URL(r.headers.get('location') ?? '').searchParams.get('state')}`, { redirect: 'manual' });
      expect(cb.status).toBe(503);
      expect(((await cb.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
    } else expect(r.status).toBe(503);
    expect(Date.now() - t0).toBeLessThan(7000);
  }, 30_000);
});
