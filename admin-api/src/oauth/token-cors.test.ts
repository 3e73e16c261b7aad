import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('CORS of /oauth/token for public clients', () => {
  let t: OAuthTestEnv;
  const SPA = 'https://spa.example.com';
  beforeAll(async () => {
    t = await startOAuthTestEnv();
    await t.createClient({ id: 'spa', name: 'SPA', type: 'public', grants: ['authorization_code', 'refresh_token'], redirectUris: [`${SPA}/callback`], scopes: ['agents.read'], audiences: ['agents'] });
    // A confidential client's redirect origin gets no CORS: its secret must not be used from a browser.
    await t.createClient({ id: 'web', name: 'Web', type: 'confidential', grants: ['authorization_code'], redirectUris: ['https://server.example.com/cb'], audiences: ['agents'] });
  });
  afterAll(async () => t?.close());

  const preflight = (origin: string, path = '/oauth/token') =>
    fetch(`${t.admin.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  const post = (origin: string) =>
    fetch(`${t.admin.url}/oauth/token`, { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=authorization_code&client_id=spa&code=nope&redirect_uri=x&code_verifier=y' });

  it('answers a preflight from a registered public client\'s origin', async () => {
    const r = await preflight(SPA);
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe(SPA);
    expect(r.headers.get('access-control-allow-methods')).toBe('POST');
    expect(r.headers.get('access-control-allow-headers')).toContain('content-type');
    expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    expect(r.headers.get('vary')).toContain('Origin');
    expect((await preflight(SPA, '/oauth/revoke')).status).toBe(204);
    // the actual request carries the header too (here an RFC 6749 error the page may read)
    const a = await post(SPA);
    expect(a.status).toBe(400);
    expect(a.headers.get('access-control-allow-origin')).toBe(SPA);
  });

  it.each([
    ['another origin', 'https://evil.example'],
    ['a longer host with the registered one as prefix', 'https://spa.example.com.evil.test'],
    ['another port', 'https://spa.example.com:8443'],
    ['http instead of https', 'http://spa.example.com'],
    ['a confidential client\'s origin', 'https://server.example.com'],
    ['the null origin', 'null'],
  ])('refuses %s', async (_name, origin) => {
    const r = await preflight(origin);
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const a = await post(origin);
    expect(a.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('stops allowing an origin when its client is disabled', async () => {
    await t.call('PATCH', '/api/v1/oauth-clients/spa', { disabled: true });
    expect((await preflight(SPA)).status).toBe(403);
    await t.call('PATCH', '/api/v1/oauth-clients/spa', { disabled: false });
    expect((await preflight(SPA)).status).toBe(204);
  });
});
