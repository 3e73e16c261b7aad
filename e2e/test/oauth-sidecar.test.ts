/**
 * Tokens of the control plane's OAuth server, used through a real synced sidecar against the demo backend:
 * the sidecar verifies them offline (issuer and keys arrive in the signed bundle), the backend sees the
 * identity headers, a revoked token is refused within 1 s, and tokens for another audience, expired ones
 * and ones signed by anyone else are refused.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { startDemoBackend, type DemoBackend } from '../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../src/seed-demo.js';

const demo = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const dir = mkdtempSync(join(tmpdir(), 'agentcore-e2e-oauth-'));
const PASSWORD = 'correct horse battery staple';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const http = { [oauth.allowInsecureRequests]: true } as const;
const clock = { offsetMs: 0 };

let admin: AdminHandle;
let backend: DemoBackend;
let sidecar: ProxyHandle;
let seeded: SeedResult;
let call: ReturnType<typeof adminClient>;
let as: oauth.AuthorizationServer;
let secret: string;
const client: oauth.Client = { client_id: 'dashboard' };
const app: oauth.Client = { client_id: 'app', id_token_signed_response_alg: 'ES256' };
const REDIRECT = 'https://app.example.com/cb';
let appSecret: string;

async function within(ms: number, probe: () => Promise<number>, want: number): Promise<number> {
  const t0 = Date.now();
  let last = 0;
  while (Date.now() - t0 < ms) {
    last = await probe();
    if (last === want) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`still ${last} after ${ms} ms, wanted ${want}`);
}

const agents = (token: string): Promise<number> =>
  fetch(`${sidecar.url}/api/v1/agents`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

async function clientCredentials(scope: string, extra: Record<string, string> = {}): Promise<string> {
  const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(secret), { scope, ...extra }, http);
  return (await oauth.processClientCredentialsResponse(as, client, res)).access_token;
}

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  const c = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad admin config');
  admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet(), now: () => Date.now() + clock.offsetMs });
  const pat = await loginForToken(admin.url, 'admin', PASSWORD);
  call = adminClient(admin.url, pat);
  seeded = await seedService(admin.url, pat, demo);
  await call('POST', '/api/v1/services', { name: 'billing' });
  // scopeRoles may only name roles every audience has (422 otherwise)
  for (const name of ['viewer', 'operator']) await call('POST', '/api/v1/services/billing/roles', { name, permissions: ['billing:read'] });
  const created = await call<{ secret: string }>('POST', '/api/v1/oauth-clients', {
    id: 'dashboard', name: 'Dashboard', type: 'confidential', grants: ['client_credentials'],
    scopes: ['agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] }, audiences: ['agents', 'billing'],
  });
  secret = created.body.secret;
  await call('POST', '/api/v1/principals', { id: 'admin', kind: 'user', displayName: 'Admin', roles: ['viewer'] });
  appSecret = (await call<{ secret: string }>('POST', '/api/v1/oauth-clients', {
    id: 'app', name: 'App', type: 'confidential', grants: ['password', 'refresh_token', 'authorization_code'], redirectUris: [REDIRECT],
    scopes: ['openid', 'agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] }, audiences: ['agents'],
  })).body.secret;
  const issuer = new URL(admin.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
  const pc = loadProxyConfig(
    ['--control-plane', admin.url, '--service', 'agents', '--token', seeded.sidecarToken, '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`,
      '--cache-dir', join(dir, 'cache'), '--upstream', backend.url, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (!pc.ok) throw new Error('bad proxy config');
  sidecar = await startProxy(pc.config, { logDestination: quiet(), defaultMetrics: false });
}, 60_000);
afterAll(async () => {
  await sidecar?.close();
  await admin?.close();
  await backend?.close();
});

describe('control-plane tokens at a synced sidecar', () => {
  it('verifies our token offline; the backend sees the identity', async () => {
    const token = await clientCredentials('agents.read', { audience: 'agents' });
    await within(5000, () => agents(token), 200);
    const seen = backend.received.filter((r) => r.url === '/api/v1/agents').at(-1)!;
    expect(seen.headers).toMatchObject({ 'x-auth-subject': 'dashboard', 'x-auth-method': 'jwt', 'x-auth-roles': 'viewer', 'x-auth-credential': 'agentcore-control-plane', 'x-auth-scopes': 'agents.read' });
    // RBAC from the scope→role mapping: viewer may not write.
    const write = await fetch(`${sidecar.url}/api/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(write.status).toBe(403);
    const writer = await clientCredentials('agents.write', { audience: 'agents' });
    const ok = await fetch(`${sidecar.url}/api/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(ok.status).toBe(201);
  });

  it('refuses a revoked token within 1 s, though its JWT is still valid', async () => {
    const token = await clientCredentials('agents.read', { audience: 'agents' });
    const other = await clientCredentials('agents.read', { audience: 'agents' });
    expect(await agents(token)).toBe(200);
    const t0 = Date.now();
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.ClientSecretBasic(secret), token, http));
    await within(1000, () => agents(token), 401);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await agents(other)).toBe(200);
  });

  it('refuses a token for another service, an expired one and a forged one', async () => {
    expect(await agents(await clientCredentials('agents.read', { audience: 'billing' }))).toBe(401);
    clock.offsetMs = -3600_000;
    const expired = await clientCredentials('agents.read', { audience: 'agents' });
    clock.offsetMs = 0;
    const r = await fetch(`${sidecar.url}/api/v1/agents`, { headers: { authorization: `Bearer ${expired}` } });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('invalid_token');
    const [h, p] = (await clientCredentials('agents.read', { audience: 'agents' })).split('.');
    expect(await agents(`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`)).toBe(401);
  });

  it('exchanges an API key for a short-lived token the sidecar accepts', async () => {
    const key = seeded.apiKeys.viewer!;
    // The API key is the credential: no client authentication (oauth4webapi always sends one, so plain fetch).
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: key.secret, subject_token_type: 'urn:agentcore:params:oauth:token-type:api-key' });
    const res = await fetch(as.token_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const body = (await res.json()) as { access_token: string; expires_in: number; issued_token_type: string };
    expect(res.status).toBe(200);
    expect(body.expires_in).toBeLessThanOrEqual(300);
    expect(body.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(await agents(body.access_token)).toBe(200);
    const seen = backend.received.filter((r) => r.url === '/api/v1/agents').at(-1)!;
    expect(seen.headers).toMatchObject({ 'x-auth-subject': key.principal, 'x-auth-roles': 'viewer' });
  });

  it('password and refreshed user tokens work at the sidecar; a replayed refresh token revokes the family there within 1 s', async () => {
    const auth = oauth.ClientSecretBasic(appSecret);
    const first = await oauth.processGenericTokenEndpointResponse(as, app, await oauth.genericTokenEndpointRequest(as, app, auth, 'password', { username: 'admin', password: PASSWORD, scope: 'agents.read agents.write' }, http));
    expect(await agents(first.access_token)).toBe(200);
    const seen = backend.received.filter((r) => r.url === '/api/v1/agents').at(-1)!;
    // The user holds only viewer: agents.write maps to operator, which the token therefore does not carry.
    expect(seen.headers).toMatchObject({ 'x-auth-subject': 'admin', 'x-auth-roles': 'viewer', 'x-auth-scopes': 'agents.read agents.write' });
    const second = await oauth.processRefreshTokenResponse(as, app, await oauth.refreshTokenGrantRequest(as, app, auth, first.refresh_token!, http));
    expect(await agents(second.access_token)).toBe(200);
    const t0 = Date.now();
    const replay = await oauth.processRefreshTokenResponse(as, app, await oauth.refreshTokenGrantRequest(as, app, auth, first.refresh_token!, http)).catch((e: unknown) => e);
    expect(replay).toMatchObject({ error: 'invalid_grant' });
    await within(1000, () => agents(second.access_token), 401);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await agents(first.access_token)).toBe(401);
  });

  it('authorization_code + PKCE: the sign-in page gives a code whose token works at the sidecar', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    for (const [k, v] of Object.entries({ client_id: 'app', redirect_uri: REDIRECT, response_type: 'code', scope: 'openid agents.read', state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
    const page = await fetch(url);
    const html = await page.text();
    const form = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
    form.set('username', 'admin');
    form.set('password', PASSWORD);
    const posted = await fetch(new URL('/oauth/authorize', admin.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.headers.get('set-cookie')!.split(';', 1)[0]! }, body: form, redirect: 'manual' });
    expect(posted.status).toBe(303);
    const params = oauth.validateAuthResponse(as, app, new URL(posted.headers.get('location')!), state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, app, await oauth.authorizationCodeGrantRequest(as, app, oauth.ClientSecretBasic(appSecret), params, REDIRECT, verifier, http), { requireIdToken: true });
    expect(await agents(tokens.access_token)).toBe(200);
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe('admin');
  });

  it('uses an external RFC 7662 endpoint configured for the service through the admin API', async () => {
    const ext = await new Promise<Server>((resolve) => {
      const srv = createServer((req, res) => {
        let body = '';
        req.on('data', (d) => (body += d));
        req.on('end', () => {
          const authorized = req.headers.authorization === `Basic ${Buffer.from('gateway:ext-secret').toString('base64')}`;
          const token = new URLSearchParams(body).get('token');
          res.setHeader('content-type', 'application/json');
          if (!authorized) return void res.writeHead(401).end('{"error":"invalid_client"}');
          res.end(JSON.stringify(token === 'opaque-good' ? { active: true, sub: 'ext-user', roles: ['viewer'], exp: Math.floor(Date.now() / 1000) + 300 } : { active: false }));
        });
      }).listen(0, '127.0.0.1', () => resolve(srv));
    });
    try {
      process.env.EXT_AS_SECRET = 'ext-secret';
      const port = (ext.address() as AddressInfo).port;
      await call('POST', '/api/v1/services/agents/introspection-endpoints', { id: 'ext-as', endpoint: `http://127.0.0.1:${port}/introspect`, clientId: 'gateway', clientSecretEnv: 'EXT_AS_SECRET' });
      await within(2000, () => agents('opaque-good'), 200);
      expect(backend.received.filter((r) => r.url === '/api/v1/agents').at(-1)!.headers).toMatchObject({ 'x-auth-subject': 'ext-user', 'x-auth-method': 'introspection', 'x-auth-credential': 'ext-as' });
      expect(await agents('opaque-bad')).toBe(401);
      // Our own JWTs are still verified offline, not sent to the external server.
      expect(await agents(await clientCredentials('agents.read', { audience: 'agents' }))).toBe(200);
    } finally {
      await new Promise((r) => ext.close(r));
      await call('DELETE', '/api/v1/services/agents/introspection-endpoints/ext-as');
    }
  });

  it('a refresh token is never an access token at the sidecar, even through our own /oauth/introspect', async () => {
    const inBundle = async (id: string): Promise<number> => (sidecar.runtime().bundle.authentication.introspection.some((i) => i.id === id) ? 1 : 0);
    const refreshToken = async (): Promise<string> => {
      const r = await oauth.genericTokenEndpointRequest(as, app, oauth.ClientSecretBasic(appSecret), 'password', { username: 'admin', password: PASSWORD, scope: 'agents.read' }, http);
      return (await oauth.processGenericTokenEndpointResponse(as, app, r)).refresh_token!;
    };
    const rsSecret = (await call<{ secret: string }>('POST', '/api/v1/oauth-clients', { id: 'gateway-rs', name: 'Sidecar as resource server', type: 'confidential', grants: ['client_credentials'], audiences: ['agents'] })).body.secret;
    process.env.OWN_AS_RS_SECRET = rsSecret;
    process.env.OWN_AS_APP_SECRET = appSecret;
    const endpoint = `${admin.url}/oauth/introspect`;
    // As a resource server, the sidecar is told a refresh token is not active (only its own client sees it active).
    await call('POST', '/api/v1/services/agents/introspection-endpoints', { id: 'own-as', endpoint, clientId: 'gateway-rs', clientSecretEnv: 'OWN_AS_RS_SECRET' });
    await within(3000, () => inBundle('own-as'), 1);
    const asResourceServer = await fetch(`${sidecar.url}/api/v1/agents`, { headers: { authorization: `Bearer ${await refreshToken()}` } });
    expect(asResourceServer.status).toBe(401);
    expect(asResourceServer.headers.get('www-authenticate')).toContain('invalid_token');
    // Misconfigured with the token's own client, our endpoint says active + token_type refresh_token: the sidecar still refuses.
    await call('DELETE', '/api/v1/services/agents/introspection-endpoints/own-as');
    await call('POST', '/api/v1/services/agents/introspection-endpoints', { id: 'own-as-app', endpoint, clientId: 'app', clientSecretEnv: 'OWN_AS_APP_SECRET' });
    await within(3000, () => inBundle('own-as-app'), 1);
    const asItsClient = await fetch(`${sidecar.url}/api/v1/agents`, { headers: { authorization: `Bearer ${await refreshToken()}` } });
    expect(asItsClient.status).toBe(401);
    expect(asItsClient.headers.get('www-authenticate')).toContain('not an access token');
    await call('DELETE', '/api/v1/services/agents/introspection-endpoints/own-as-app');
  });
});
