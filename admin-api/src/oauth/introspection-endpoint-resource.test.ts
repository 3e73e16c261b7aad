import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../bundles/index.js';
import { startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('/api/v1/services/{service}/introspection-endpoints', () => {
  let t: OAuthTestEnv;
  beforeAll(async () => {
    t = await startOAuthTestEnv();
  });
  afterAll(async () => t?.close());
  const path = '/api/v1/services/agents/introspection-endpoints';
  const def = { id: 'corp-as', endpoint: 'https://as.example.com/oauth2/introspect', clientId: 'gateway', clientSecretEnv: 'CORP_AS_SECRET' };

  it('is managed through the API and compiled into the service bundle', async () => {
    const created = await t.call('POST', path, def);
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"v1"');
    const compiled = await compileBundle(t.admin.store, 'agents', Date.now());
    expect(compiled.ok && compiled.bundle.authentication.introspection).toEqual([expect.objectContaining({ ...def, cacheTtlSeconds: 60 })]);
    const other = await compileBundle(t.admin.store, 'billing', Date.now());
    expect(other.ok && other.bundle.authentication.introspection).toEqual([]);
    const stale = await t.call('PUT', `${path}/corp-as`, { ...def, timeoutMs: 500 }, { 'if-match': '"v7"' });
    expect(stale.status).toBe(412);
    expect((await t.call('PUT', `${path}/corp-as`, { ...def, timeoutMs: 500 }, { 'if-match': '"v1"' })).body.definition.timeoutMs).toBe(500);
    const audit = await t.call('GET', '/api/v1/audit-events?resourceType=introspection-endpoint');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['introspection-endpoint.update', 'introspection-endpoint.create']);
  });

  it('refuses a secret in the bundle, a bad URL, and non-admins', async () => {
    expect((await t.call('POST', path, { ...def, id: 'x', clientSecret: 'inline' })).status).toBe(400);
    expect((await t.call('POST', path, { ...def, id: 'y', endpoint: 'not a url' })).status).toBe(400);
    expect((await t.call('POST', path, { ...def, id: 'z', clientSecretEnv: 'lower-case' })).status).toBe(400);
    expect((await fetch(t.admin.url + path)).status).toBe(401);
  });
});
