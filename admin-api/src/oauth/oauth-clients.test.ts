import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('/api/v1/oauth-clients', () => {
  let t: OAuthTestEnv;
  beforeAll(async () => {
    t = await startOAuthTestEnv();
  });
  afterAll(async () => t?.close());

  const base = { name: 'Reporting', type: 'confidential', grants: ['client_credentials'], scopes: ['agents.read'], scopeRoles: { 'agents.read': ['viewer'] }, audiences: ['agents'] };

  it('shows the secret once, stores a hash, audits without it', async () => {
    const created = await t.call('POST', '/api/v1/oauth-clients', { id: 'reporting', ...base });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"v1"');
    expect(created.headers.get('location')).toBe('/api/v1/oauth-clients/reporting');
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^ocs_[A-Za-z0-9_-]{43}$/);
    const got = await t.call('GET', '/api/v1/oauth-clients/reporting');
    const listed = await t.call('GET', '/api/v1/oauth-clients');
    const audit = await t.call('GET', '/api/v1/audit-events?resourceType=oauth-client');
    for (const text of [JSON.stringify(got.body), JSON.stringify(listed.body), JSON.stringify(audit.body)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('secretSha256');
    }
    expect(got.body).toMatchObject({ id: 'reporting', type: 'confidential', secretPrefix: secret.slice(0, 12), disabled: false, version: 1 });
    expect(audit.body.items[0]).toMatchObject({ action: 'oauth-client.create', resourceId: 'reporting', actor: 'admin' });
    expect((await t.call('POST', '/api/v1/oauth-clients', { id: 'reporting', ...base })).status).toBe(409);
  });

  it('patches with If-Match, refuses a stale one, rotates and disables', async () => {
    const stale = await t.call('PATCH', '/api/v1/oauth-clients/reporting', { name: 'x' }, { 'if-match': '"v9"' });
    expect(stale.status).toBe(412);
    const patched = await t.call('PATCH', '/api/v1/oauth-clients/reporting', { scopes: ['agents.read', 'agents.write'] }, { 'if-match': '"v1"' });
    expect(patched.status).toBe(200);
    expect(patched.body.version).toBe(2);
    const rotated = await t.call('POST', '/api/v1/oauth-clients/reporting/rotate-secret', undefined, { 'if-match': '"v2"' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^ocs_/);
    const disabled = await t.call('PATCH', '/api/v1/oauth-clients/reporting', { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await t.call('DELETE', '/api/v1/oauth-clients/reporting', undefined, { 'if-match': '"v1"' })).status).toBe(412);
    expect((await t.call('DELETE', '/api/v1/oauth-clients/reporting')).status).toBe(204);
    expect((await t.call('GET', '/api/v1/oauth-clients/reporting')).status).toBe(404);
  });

  it.each([
    ['unknown grant', { grants: ['implicit'] }, 'body.grants.0'],
    ['code without redirect URI', { grants: ['authorization_code'] }, 'body.redirectUris'],
    ['redirect URI with userinfo', { grants: ['authorization_code'], redirectUris: ['https://a@app.example.com/cb'] }, 'body.redirectUris.0'],
    ['redirect URI with ..;/', { grants: ['authorization_code'], redirectUris: ['https://app.example.com/cb/..;/x'] }, 'body.redirectUris.0'],
    ['public client_credentials', { type: 'public' }, 'body.grants'],
    ['role map of an unknown scope', { scopeRoles: { other: ['viewer'] } }, 'body.scopeRoles.other'],
    ['lifetime too long', { accessTokenTtlSeconds: 86400 }, 'body.accessTokenTtlSeconds'],
  ])('refuses %s', async (_n, extra, path) => {
    const r = await t.call('POST', '/api/v1/oauth-clients', { id: 'bad', ...base, ...extra });
    expect(r.status).toBe(400);
    expect(r.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
  });

  it('refuses (422, naming it) a scope→role mapping to a role an audience does not have, on create and on change', async () => {
    await t.call('POST', '/api/v1/services', { name: 'no-roles' });
    const missing = await t.call('POST', '/api/v1/oauth-clients', { id: 'bad-roles', ...base, scopeRoles: { 'agents.read': ['viewer', 'auditor'] } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('UNPROCESSABLE');
    expect(missing.body.error.message).toContain('"auditor" (service "agents")');
    expect(missing.body.error.details.missing).toEqual([{ service: 'agents', role: 'auditor', scopes: ['agents.read'] }]);
    // viewer exists in agents but not in the second audience
    const other = await t.call('POST', '/api/v1/oauth-clients', { id: 'bad-roles', ...base, audiences: ['agents', 'no-roles'] });
    expect(other.status).toBe(422);
    expect(other.body.error.details.missing).toEqual([{ service: 'no-roles', role: 'viewer', scopes: ['agents.read'] }]);
    expect((await t.call('GET', '/api/v1/oauth-clients/bad-roles')).status).toBe(404);
    expect((await t.call('POST', '/api/v1/oauth-clients', { id: 'good-roles', ...base })).status).toBe(201);
    const patch = await t.call('PATCH', '/api/v1/oauth-clients/good-roles', { scopeRoles: { 'agents.read': ['ghost'] } });
    expect(patch.status).toBe(422);
    expect(patch.body.error.message).toContain('"ghost"');
    expect((await t.call('GET', '/api/v1/oauth-clients/good-roles')).body.scopeRoles).toEqual({ 'agents.read': ['viewer'] });
  });

  it('refuses deleting a role an enabled client maps a scope to (409, naming the client)', async () => {
    await t.call('POST', '/api/v1/services/agents/roles', { name: 'auditor', permissions: ['agents:read'] });
    expect((await t.call('POST', '/api/v1/oauth-clients', { id: 'audits', ...base, scopeRoles: { 'agents.read': ['auditor'] } })).status).toBe(201);
    const del = await t.call('DELETE', '/api/v1/services/agents/roles/auditor');
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain('OAuth client audits');
    expect((await t.call('GET', '/api/v1/services/agents/roles/auditor')).status).toBe(200);
    expect((await t.call('PATCH', '/api/v1/oauth-clients/audits', { scopeRoles: {} })).status).toBe(200);
    expect((await t.call('DELETE', '/api/v1/services/agents/roles/auditor')).status).toBe(204);
  });

  it('refuses an unknown audience and unauthenticated callers', async () => {
    expect((await t.call('POST', '/api/v1/oauth-clients', { id: 'bad', ...base, audiences: ['nope'] })).status).toBe(404);
    expect((await fetch(`${t.admin.url}/api/v1/oauth-clients`)).status).toBe(401);
  });
});
