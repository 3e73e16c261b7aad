import * as oauth from 'oauth4webapi';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../store/test-databases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_PASSWORD, jsonOf, startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

const REDIRECT = 'https://app.example.com/cb';
const LOOPBACK = 'http://localhost:5555/cb';

describe.each(DIALECTS)('authorization_code + PKCE with the sign-in page on %s', (dialect) => {
  let t: OAuthTestEnv;
  let secret: string;
  const web: oauth.Client = { client_id: 'web', id_token_signed_response_alg: 'ES256' };
  const spa: oauth.Client = { client_id: 'spa' };
  beforeAll(async () => {
    t = await startOAuthTestEnv(dialect);
    await t.call('POST', '/api/v1/principals', { id: 'admin', kind: 'user', displayName: 'Admin', roles: ['viewer', 'operator'] });
    secret = (await t.createClient({ id: 'web', name: 'Web <App>', type: 'confidential', grants: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT], scopes: ['openid', 'profile', 'agents.read'], scopeRoles: { 'agents.read': ['viewer'] }, audiences: ['agents'] }))!;
    await t.createClient({ id: 'spa', name: 'SPA', type: 'public', grants: ['authorization_code'], redirectUris: [LOOPBACK], scopes: ['agents.read'], scopeRoles: { 'agents.read': ['viewer'] }, audiences: ['agents'] });
  });
  afterAll(async () => t?.close());

  interface Started { verifier: string; state: string; url: URL }
  async function authorizeUrl(client: string, redirect: string, extra: Record<string, string> = {}): Promise<Started> {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(t.as.authorization_endpoint!);
    const p = { client_id: client, redirect_uri: redirect, response_type: 'code', scope: 'agents.read', state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra };
    for (const [k, v] of Object.entries(p)) if (v !== '') url.searchParams.set(k, v);
    return { verifier, state, url };
  }
  /** Loads the page, posts the form; returns the final answer (no redirects followed). */
  async function signIn(url: URL, username = 'admin', password = OWNER_PASSWORD, tamper?: (form: URLSearchParams, headers: Record<string, string>) => void): Promise<Response> {
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'"));
    form.set('username', username);
    form.set('password', password);
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', cookie: page.headers.get('set-cookie')!.split(';', 1)[0]! };
    tamper?.(form, headers);
    return fetch(new URL('/oauth/authorize', t.admin.url), { method: 'POST', headers, body: form, redirect: 'manual' });
  }
  async function codeFor(client: oauth.Client, redirect: string, extra: Record<string, string> = {}) {
    const s = await authorizeUrl(client.client_id, redirect, extra);
    const r = await signIn(s.url);
    expect(r.status).toBe(303);
    const params = oauth.validateAuthResponse(t.as, client, new URL(r.headers.get('location')!), s.state);
    return { ...s, params };
  }
  const redeem = (client: oauth.Client, params: URLSearchParams, redirect: string, verifier: string | typeof oauth.nopkce) =>
    oauth.authorizationCodeGrantRequest(t.as, client, client.client_id === 'web' ? oauth.ClientSecretBasic(secret) : oauth.None(), params, redirect, verifier, t.http);
  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as oauth.ResponseBodyError);

  it('signs in, returns a code with state and iss, redeems it once (confidential client, openid)', async () => {
    const s = await codeFor(web, REDIRECT, { scope: 'openid profile agents.read', nonce: 'n-123' });
    const tokens = await oauth.processAuthorizationCodeResponse(t.as, web, await redeem(web, s.params, REDIRECT, s.verifier), { expectedNonce: 'n-123', requireIdToken: true });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'admin', client_id: 'web', aud: 'agents', roles: ['viewer'] });
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: 'admin', nonce: 'n-123', aud: 'web' });
    expect(tokens.refresh_token).toMatch(/^ort_/);
  });

  it('public client with PKCE; a reused code is refused and revokes what the first use issued', async () => {
    const s = await codeFor(spa, LOOPBACK);
    const tokens = await oauth.processAuthorizationCodeResponse(t.as, spa, await redeem(spa, s.params, LOOPBACK, s.verifier));
    expect(await errorOf(oauth.processAuthorizationCodeResponse(t.as, spa, await redeem(spa, s.params, LOOPBACK, s.verifier)))).toMatchObject({ error: 'invalid_grant' });
    const rs = await t.call('GET', '/api/v1/oauth-clients/web');
    expect(rs.status).toBe(200);
    const intro = await fetch(t.as.introspection_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`web:${secret}`).toString('base64')}` }, body: new URLSearchParams({ token: tokens.access_token }) });
    expect(await jsonOf(intro)).toEqual({ active: false });
  });

  it.each([
    ['missing verifier (PKCE downgrade)', oauth.nopkce],
    ['wrong verifier', oauth.generateRandomCodeVerifier()],
  ])('refuses %s', async (_n, verifier) => {
    const s = await codeFor(spa, LOOPBACK);
    expect(await errorOf(oauth.processAuthorizationCodeResponse(t.as, spa, await redeem(spa, s.params, LOOPBACK, verifier as string | typeof oauth.nopkce)))).toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it.each([
    ['an extra path', `${LOOPBACK}/more`],
    ['an extra query', `${LOOPBACK}?x=1`],
  ])('refuses a token request whose redirect_uri has %s', async (_n, other) => {
    const s = await codeFor(spa, LOOPBACK);
    expect(await errorOf(oauth.processAuthorizationCodeResponse(t.as, spa, await redeem(spa, s.params, other, s.verifier)))).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an expired code (60 s)', async () => {
    const s = await codeFor(spa, LOOPBACK);
    t.clock.offsetMs = 61_000;
    try {
      expect(await errorOf(oauth.processAuthorizationCodeResponse(t.as, spa, await redeem(spa, s.params, LOOPBACK, s.verifier)))).toMatchObject({ error: 'invalid_grant' });
    } finally {
      t.clock.offsetMs = 0;
    }
  });

  it.each([
    ['extra path', `${REDIRECT}/x`],
    ['extra query', `${REDIRECT}?x=1`],
    ['userinfo', 'https://app.example.com@evil.test/cb'],
    ['several @', 'https://evil.test@app.example.com@evil.test/cb'],
    ['..;/', 'https://app.example.com/cb/..;/evil'],
    ['encoded traversal', 'https://app.example.com/cb/%2e%2e/evil'],
    ['registered prefix on a longer host', 'https://app.example.com.evil.test/cb'],
    ['localhost with another port', 'http://localhost:5556/cb'],
    ['no redirect_uri', ''],
  ])('shows an error and never redirects for a redirect_uri with %s', async (_n, uri) => {
    const client = uri.startsWith('http://localhost') ? 'spa' : 'web';
    const s = await authorizeUrl(client, uri);
    const r = await fetch(s.url, { redirect: 'manual' });
    expect(r.status).toBe(400);
    expect(r.headers.get('location')).toBeNull();
    expect(await r.text()).toContain('redirect_uri is not registered');
  });

  it.each([
    ['plain PKCE', { code_challenge_method: 'plain' }, 'plain is not allowed'],
    ['no code_challenge', { code_challenge: '', code_challenge_method: '' }, 'code_challenge is required'],
    ['response_type token', { response_type: 'token' }, 'response_type'],
    ['unknown scope', { scope: 'admin' }, 'scope'],
  ])('redirects back with an error for %s, and issues nothing', async (_n, extra, text) => {
    const s = await authorizeUrl('spa', LOOPBACK, extra);
    const r = await fetch(s.url, { redirect: 'manual' });
    expect(r.status).toBe(303);
    const back = new URL(r.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(LOOPBACK);
    expect(back.searchParams.get('state')).toBe(s.state);
    expect(back.searchParams.get('iss')).toBe(t.admin.url);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error_description')).toContain(text);
    expect(() => oauth.validateAuthResponse(t.as, spa, back, s.state)).toThrow(oauth.AuthorizationResponseError);
  });

  it('refuses a form without the CSRF cookie or with a wrong token, and a wrong password', async () => {
    const s = await authorizeUrl('spa', LOOPBACK);
    const noCookie = await signIn(s.url, 'admin', OWNER_PASSWORD, (_f, h) => void delete h.cookie);
    expect(noCookie.status).toBe(400);
    expect(noCookie.headers.get('location')).toBeNull();
    const wrongToken = await signIn(s.url, 'admin', OWNER_PASSWORD, (f) => f.set('csrf_token', 'x'.repeat(43)));
    expect(wrongToken.status).toBe(400);
    const wrongPassword = await signIn(s.url, 'admin', 'not the password');
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.headers.get('location')).toBeNull();
    expect(await wrongPassword.text()).toContain('The username or password is wrong');
  });

  it('escapes the client name on the page', async () => {
    const s = await authorizeUrl('web', REDIRECT);
    const html = await (await fetch(s.url)).text();
    expect(html).toContain('Web &lt;App&gt;');
    expect(html).not.toContain('Web <App>');
  });
});
