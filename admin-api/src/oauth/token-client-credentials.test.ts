import * as oauth from 'oauth4webapi';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('client_credentials at POST /oauth/token', () => {
  let t: OAuthTestEnv;
  let secret: string;
  const client: oauth.Client = { client_id: 'reporting' };
  beforeAll(async () => {
    t = await startOAuthTestEnv();
    secret = (await t.createClient({ id: 'reporting', name: 'Reporting', type: 'confidential', grants: ['client_credentials'], scopes: ['agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] }, audiences: ['agents'] }))!;
    await t.createClient({ id: 'two-services', name: 'Two', type: 'confidential', grants: ['client_credentials'], audiences: ['agents', 'billing'] });
  });
  afterAll(async () => t?.close());

  const post = (body: string, headers: Record<string, string>) => fetch(`${t.admin.url}/oauth/token`, { method: 'POST', headers, body });
  const basic = (id: string, s: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}`;

  it('publishes RFC 8414 / OIDC metadata and the JWKS', async () => {
    expect(t.as.token_endpoint).toBe(`${t.admin.url}/oauth/token`);
    expect(t.as.code_challenge_methods_supported).toEqual(['S256']);
    const oidc = await jsonOf(await fetch(`${t.admin.url}/.well-known/openid-configuration`));
    expect(oidc).toMatchObject({ issuer: t.admin.url, id_token_signing_alg_values_supported: ['ES256'] });
    const jwks = await jsonOf(await fetch(`${t.admin.url}/.well-known/jwks.json`));
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('issues an RFC 9068 token with client_secret_basic, verifiable with the JWKS', async () => {
    const res = await oauth.clientCredentialsGrantRequest(t.as, client, oauth.ClientSecretBasic(secret), { scope: 'agents.read' }, t.http);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await oauth.processClientCredentialsResponse(t.as, client, res);
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'agents.read', expires_in: 600 });
    expect(tokens.refresh_token).toBeUndefined();
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(t.as.jwks_uri!)), { issuer: t.admin.url, audience: 'agents', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: 'reporting', client_id: 'reporting', scope: 'agents.read', roles: ['viewer'] });
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('accepts client_secret_post and the JSON Authentication Request', async () => {
    const viaPost = await oauth.processClientCredentialsResponse(t.as, client, await oauth.clientCredentialsGrantRequest(t.as, client, oauth.ClientSecretPost(secret), {}, t.http));
    expect(viaPost.scope).toBe('agents.read agents.write');
    const json = await post(JSON.stringify({ grant_type: 'client_credentials', client_id: 'reporting', client_secret: secret, scope: 'agents.write' }), { 'content-type': 'application/json' });
    expect(json.status).toBe(200);
    const body = await jsonOf(json);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'agents.write' });
  });

  const refusals: [string, () => Promise<Response>, number, string][] = [
    ['wrong secret', () => post('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', 'ocs_wrong') }), 401, 'invalid_client'],
    ['unknown client', () => post('grant_type=client_credentials&client_id=nobody&client_secret=x', { 'content-type': 'application/x-www-form-urlencoded' }), 401, 'invalid_client'],
    ['no client authentication', () => post('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded' }), 401, 'invalid_client'],
    ['grant not allowed', () => post('grant_type=password&username=a&password=b', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'unauthorized_client'],
    ['unknown grant', () => post('grant_type=implicit', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'unsupported_grant_type'],
    ['missing grant_type', () => post('scope=x', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['scope not allowed', () => post('grant_type=client_credentials&scope=admin', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_scope'],
    ['another audience', () => post('grant_type=client_credentials&audience=billing', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_target'],
    ['repeated parameter', () => post('grant_type=client_credentials&scope=a&scope=b', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['two auth methods', () => post(`grant_type=client_credentials&client_secret=${secret}`, { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['form body sent as text/plain', () => post('grant_type=client_credentials', { 'content-type': 'text/plain', authorization: basic('reporting', secret) }), 415, 'invalid_request'],
    ['JSON sent as form', () => post('{"grant_type":"client_credentials"}', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['malformed JSON', () => post('{"grant_type":', { 'content-type': 'application/json', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['JSON array', () => post('[1]', { 'content-type': 'application/json' }), 400, 'invalid_request'],
    ['JSON non-string value', () => post('{"grant_type":"client_credentials","scope":["a"]}', { 'content-type': 'application/json', authorization: basic('reporting', secret) }), 400, 'invalid_request'],
    ['no content type', () => post('grant_type=client_credentials', { authorization: basic('reporting', secret) }), 415, 'invalid_request'],
    ['huge body', () => post(`grant_type=client_credentials&scope=${'a'.repeat(200_000)}`, { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('reporting', secret) }), 413, 'invalid_request'],
    ['malformed Basic', () => post('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic !!!' }), 401, 'invalid_client'],
  ];
  it.each(refusals)('refuses %s', async (_name, send, status, error) => {
    const r = await send();
    expect(r.status).toBe(status);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const body = await jsonOf(r);
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    expect(body.access_token).toBeUndefined();
    if (status === 401) expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('oauth4webapi sees RFC 6749 errors as ResponseBodyError', async () => {
    const res = await oauth.clientCredentialsGrantRequest(t.as, client, oauth.ClientSecretBasic('ocs_wrong'), {}, t.http);
    const err = await oauth.processClientCredentialsResponse(t.as, client, res).catch((e: unknown) => e);
    // A 401 with WWW-Authenticate surfaces as the challenge; the body is still the RFC 6749 error.
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = err as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]?.scheme).toBe('basic');
    expect(await jsonOf(challenge.response)).toMatchObject({ error: 'invalid_client' });
    const scoped = await oauth.clientCredentialsGrantRequest(t.as, client, oauth.ClientSecretBasic(secret), { scope: 'admin' }, t.http);
    const bodyErr = await oauth.processClientCredentialsResponse(t.as, client, scoped).catch((e: unknown) => e);
    expect(bodyErr).toBeInstanceOf(oauth.ResponseBodyError);
    expect(bodyErr).toMatchObject({ error: 'invalid_scope', status: 400 });
  });

  it('needs an audience when the client has several, and refuses a disabled client', async () => {
    const two = await t.call('POST', '/api/v1/oauth-clients/two-services/rotate-secret');
    const s2: string = two.body.secret;
    const none = await post('grant_type=client_credentials', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('two-services', s2) });
    expect((await jsonOf(none)).error).toBe('invalid_target');
    const billing = await oauth.processClientCredentialsResponse(t.as, { client_id: 'two-services' }, await oauth.clientCredentialsGrantRequest(t.as, { client_id: 'two-services' }, oauth.ClientSecretBasic(s2), { audience: 'billing' }, t.http));
    expect(JSON.parse(Buffer.from(billing.access_token.split('.')[1]!, 'base64url').toString()).aud).toBe('billing');
    await t.call('PATCH', '/api/v1/oauth-clients/two-services', { disabled: true });
    const disabled = await post('grant_type=client_credentials&audience=billing', { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('two-services', s2) });
    expect(disabled.status).toBe(401);
  });

  it('rotates the signing key: published first, signing after the delay, old key kept', async () => {
    const before = (await jsonOf(await fetch(`${t.admin.url}/.well-known/jwks.json`))).keys.map((k: { kid: string }) => k.kid);
    const rotated = await t.call('POST', '/api/v1/oauth/signing-keys/rotate', { publishDelaySeconds: 60 });
    expect(rotated.status).toBe(201);
    const after = (await jsonOf(await fetch(`${t.admin.url}/.well-known/jwks.json`))).keys.map((k: { kid: string }) => k.kid);
    expect(after).toEqual([...before, rotated.body.kid]);
    const sign = async () => decodeProtectedHeader((await oauth.processClientCredentialsResponse(t.as, client, await oauth.clientCredentialsGrantRequest(t.as, client, oauth.ClientSecretBasic(secret), {}, t.http))).access_token).kid;
    expect(await sign()).toBe(before.at(-1));
    t.clock.offsetMs = 61_000;
    await new Promise((r) => setTimeout(r, 5100));
    expect(await sign()).toBe(rotated.body.kid);
    const keys = await t.call('GET', '/api/v1/oauth/signing-keys');
    expect(keys.body.items.map((k: { kid: string }) => k.kid)).toEqual(after);
    expect(keys.body.items[0].expiresAt).not.toBeNull();
    t.clock.offsetMs = 0;
  }, 20_000);
});
