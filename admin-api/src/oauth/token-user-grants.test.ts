import * as oauth from 'oauth4webapi';
import { decodeJwt } from 'jose';
import { DIALECTS } from '../store/test-databases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../bundles/index.js';
import { OWNER_PASSWORD, jsonOf, startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe.each(DIALECTS)('password, refresh_token, introspection, userinfo, token exchange on %s', (dialect) => {
  let t: OAuthTestEnv;
  let secret: string;
  let rsSecret: string;
  const client: oauth.Client = { client_id: 'cli', id_token_signed_response_alg: 'ES256' };
  beforeAll(async () => {
    t = await startOAuthTestEnv(dialect);
    await t.call('POST', '/api/v1/principals', { id: 'admin', kind: 'user', displayName: 'Admin', roles: ['viewer'] });
    secret = (await t.createClient({ id: 'cli', name: 'CLI', type: 'confidential', grants: ['password', 'refresh_token'], scopes: ['openid', 'profile', 'agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] }, audiences: ['agents'] }))!;
    rsSecret = (await t.createClient({ id: 'resource-server', name: 'RS', type: 'confidential', grants: ['client_credentials'], audiences: ['agents'] }))!;
    await t.createClient({ id: 'no-password', name: 'NP', type: 'confidential', grants: ['client_credentials'], audiences: ['agents'] });
  });
  afterAll(async () => t?.close());

  const password = async (params: Record<string, string>) => oauth.genericTokenEndpointRequest(t.as, client, oauth.ClientSecretBasic(secret), 'password', params, t.http);
  const refresh = async (rt: string, extra: Record<string, string> = {}) => oauth.refreshTokenGrantRequest(t.as, client, oauth.ClientSecretBasic(secret), rt, { ...t.http, additionalParameters: extra });
  const introspect = async (token: string) => oauth.processIntrospectionResponse(t.as, { client_id: 'resource-server' }, await oauth.introspectionRequest(t.as, { client_id: 'resource-server' }, oauth.ClientSecretBasic(rsSecret), token, t.http));
  /** the client introspecting its own token (the only caller a refresh token is active to) */
  const introspectOwn = async (token: string) => oauth.processIntrospectionResponse(t.as, client, await oauth.introspectionRequest(t.as, client, oauth.ClientSecretBasic(secret), token, t.http));
  const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as oauth.ResponseBodyError);

  it('password grant: a user token limited to the user\'s roles, with a refresh token and an ID token', async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'openid profile agents.read agents.write' }));
    expect(tokens.refresh_token).toMatch(/^ort_/);
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ sub: 'admin', client_id: 'cli', aud: 'agents', roles: ['viewer'] });
    expect(typeof claims.auth_time).toBe('number');
    const id = oauth.getValidatedIdTokenClaims(tokens)!;
    expect(id).toMatchObject({ sub: 'admin', aud: 'cli', iss: t.admin.url, preferred_username: 'admin' });
    const info = await oauth.processUserInfoResponse(t.as, client, 'admin', await oauth.userInfoRequest(t.as, client, tokens.access_token, t.http));
    expect(info).toMatchObject({ sub: 'admin', preferred_username: 'admin' });
  });

  it('password grant refusals: wrong password, unknown user, client not allowed, public credentials missing', async () => {
    expect(await errorOf(oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: 'wrong password!!' })))).toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(await errorOf(oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'nobody', password: 'whatever pass' })))).toMatchObject({ error: 'invalid_grant' });
    expect(await errorOf(oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin' })))).toMatchObject({ error: 'invalid_request' });
    const np = await t.call('POST', '/api/v1/oauth-clients/no-password/rotate-secret');
    const r = await oauth.genericTokenEndpointRequest(t.as, { client_id: 'no-password' }, oauth.ClientSecretBasic(np.body.secret), 'password', { username: 'admin', password: OWNER_PASSWORD }, t.http);
    expect(await errorOf(oauth.processGenericTokenEndpointResponse(t.as, { client_id: 'no-password' }, r))).toMatchObject({ error: 'unauthorized_client' });
  });

  it('refresh rotates; a replayed refresh token revokes the whole family (no grace)', async () => {
    const first = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'agents.read' }));
    const second = await oauth.processRefreshTokenResponse(t.as, client, await refresh(first.refresh_token!));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await introspect(second.access_token)).active).toBe(true);
    expect((await introspectOwn(first.refresh_token!)).active).toBe(false);
    // Replaying the immediately preceding token is reuse too.
    expect(await errorOf(oauth.processRefreshTokenResponse(t.as, client, await refresh(first.refresh_token!)))).toMatchObject({ error: 'invalid_grant' });
    expect((await introspect(second.access_token)).active).toBe(false);
    expect((await introspect(first.access_token)).active).toBe(false);
    expect(await errorOf(oauth.processRefreshTokenResponse(t.as, client, await refresh(second.refresh_token!)))).toMatchObject({ error: 'invalid_grant' });
    const bundle = await compileBundle(t.admin.store, 'agents', Date.now());
    expect(bundle.ok && bundle.bundle.authentication.revokedTokens.map((r) => r.jti)).toEqual(expect.arrayContaining([decodeJwt(second.access_token).jti, decodeJwt(first.access_token).jti]));
  });

  it('refresh may narrow the scope, never widen it', async () => {
    const first = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'agents.read' }));
    expect(await errorOf(oauth.processRefreshTokenResponse(t.as, client, await refresh(first.refresh_token!, { scope: 'agents.read agents.write' })))).toMatchObject({ error: 'invalid_scope' });
    // The refused widening did not spend the token.
    const again = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'openid agents.read' }));
    expect(await errorOf(oauth.processRefreshTokenResponse(t.as, client, await refresh(again.refresh_token!, { scope: 'agents.write' })))).toMatchObject({ error: 'invalid_scope' });
    const narrowed = await oauth.processRefreshTokenResponse(t.as, client, await refresh(again.refresh_token!, { scope: 'agents.read' }));
    expect(narrowed.scope).toBe('agents.read');
  });

  it('introspection needs an authenticated confidential client; revocation shows', async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'agents.read' }));
    const anon = await fetch(t.as.introspection_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tokens.access_token }) });
    expect(anon.status).toBe(401);
    expect((await jsonOf(anon)).error).toBe('invalid_client');
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, sub: 'admin', client_id: 'cli', aud: 'agents', scope: 'agents.read', token_type: 'Bearer', iss: t.admin.url });
    expect(await introspect('not-a-token')).toEqual({ active: false });
    await oauth.processRevocationResponse(await oauth.revocationRequest(t.as, client, oauth.ClientSecretBasic(secret), tokens.access_token, t.http));
    expect((await introspect(tokens.access_token)).active).toBe(false);
    // Another client cannot revoke this client's refresh token (200, no effect).
    await oauth.processRevocationResponse(await oauth.revocationRequest(t.as, { client_id: 'resource-server' }, oauth.ClientSecretBasic(rsSecret), tokens.refresh_token!, t.http));
    expect((await introspectOwn(tokens.refresh_token!)).active).toBe(true);
  });

  it('a live refresh token is active only to its own client, never to a resource server (it is not an access token)', async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'agents.read' }));
    expect(await introspectOwn(tokens.refresh_token!)).toMatchObject({ active: true, token_type: 'refresh_token', client_id: 'cli', sub: 'admin' });
    expect(await introspect(tokens.refresh_token!)).toEqual({ active: false });
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, token_type: 'Bearer' });
  });

  it('userinfo refuses tokens without openid and invalid ones', async () => {
    const tokens = await oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'admin', password: OWNER_PASSWORD, scope: 'agents.read' }));
    const noOpenid = await fetch(t.as.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(noOpenid.status).toBe(403);
    expect(noOpenid.headers.get('www-authenticate')).toContain('insufficient_scope');
    const bad = await fetch(t.as.userinfo_endpoint!, { headers: { authorization: 'Bearer abc' } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('token exchange refuses a wrong token type, an unknown key and another audience', async () => {
    const post = (p: Record<string, string>) => fetch(t.as.token_endpoint!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', ...p }) }).then(async (r) => ({ status: r.status, body: await jsonOf(r) }));
    // a key's principal must exist (policy integrity, #10)
    expect((await t.call('POST', '/api/v1/principals', { id: 'svc', kind: 'service-account', displayName: 'Service' })).status).toBe(201);
    const key = await t.call('POST', '/api/v1/services/agents/api-keys', { principal: 'svc', roles: ['viewer'] });
    expect(key.status).toBe(201);
    expect((await post({ subject_token: key.body.secret, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token' })).body.error).toBe('invalid_request');
    expect((await post({ subject_token: 'ak_nope', subject_token_type: 'urn:agentcore:params:oauth:token-type:api-key' })).body.error).toBe('invalid_grant');
    expect((await post({ subject_token: key.body.secret, subject_token_type: 'urn:agentcore:params:oauth:token-type:api-key', audience: 'billing' })).body.error).toBe('invalid_target');
    const ok = await post({ subject_token: key.body.secret, subject_token_type: 'urn:agentcore:params:oauth:token-type:api-key' });
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token)).toMatchObject({ sub: 'svc', aud: 'agents', roles: ['viewer'], client_id: `api-key:${key.body.id}` });
  });

  it('locks a username after 5 failed passwords (429 with Retry-After), even with the right one, and shares the lock with the console login', async () => {
    await t.call('POST', '/api/v1/admin-users', { username: 'victim', password: 'victim password 123', role: 'auditor' });
    for (let i = 0; i < 5; i++) {
      if (i === 3) {
        // the shared throttle delays tries after the 3rd failure (1 s, doubling): an immediate one is refused
        const delayed = await password({ username: 'victim', password: 'victim password 123' });
        expect(delayed.status).toBe(429);
        expect((await jsonOf(delayed)).error).toBe('invalid_grant');
      }
      t.clock.offsetMs += 61_000; // past any delay (≤ 60 s), well inside the 15-minute window
      expect(await errorOf(oauth.processGenericTokenEndpointResponse(t.as, client, await password({ username: 'victim', password: `wrong ${i} password` })))).toMatchObject({ status: 400 });
    }
    t.clock.offsetMs += 61_000;
    const locked = await password({ username: 'victim', password: 'victim password 123' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(61);
    expect((await jsonOf(locked)).error).toBe('invalid_grant');
    // the console login counts the same failures (store-backed throttle, shared by replicas)
    const login = await fetch(`${t.admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'victim', password: 'victim password 123' }) });
    expect(login.status).toBe(429);
    expect(Number(login.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
