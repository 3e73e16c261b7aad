import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, findApiKeyByHash, hashApiKey, listAuditEvents } from '../store/index.js';
import { startTestServer, type TestServer } from './test-server.js';

const keys = '/api/v1/services/billing/api-keys';

describe('API keys', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.call('POST', '/api/v1/services', { body: { name: 'billing' } });
    await t.call('POST', '/api/v1/services', { body: { name: 'other' } });
    // keys refer to principals and roles that exist (issue #10)
    for (const id of ['alice', 'bob', 'carol', 'dave', 'p']) await t.call('POST', '/api/v1/principals', { body: { id, kind: 'service-account', displayName: id } });
    for (const name of ['reader', 'writer', 'lost']) await t.call('POST', '/api/v1/services/billing/roles', { body: { name } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('returns the secret once on create; reads, lists and audit never show it or its hash', async () => {
    const created = await t.call('POST', keys, { role: 'security-admin', body: { id: 'k1', principal: 'alice', roles: ['reader'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${keys}/k1`);
    const secret: string = created.body.secret;
    expect(secret.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(created.body.prefix).toBe(secret.slice(0, 11));
    expect(created.body.state).toBe('active');
    expect((await findApiKeyByHash(t.store, hashApiKey(secret)))?.id).toBe('k1');

    const got = await t.call('GET', `${keys}/k1`, { role: 'auditor' });
    const listed = await t.call('GET', keys);
    const audit = await listAuditEvents(t.store, { resourceType: 'api-key' });
    for (const text of [JSON.stringify(got.body), JSON.stringify(listed.body), JSON.stringify(audit.items)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(hashApiKey(secret));
      expect(text).not.toContain('sha256');
      expect(text).not.toContain('"secret"');
    }
    expect(got.headers.get('etag')).toBe('"v1"');
    expect(audit.items[0]).toMatchObject({ action: 'api-key.create', resourceId: 'billing/k1', actor: 'test-security-admin', before: null });

    expect((await t.call('POST', keys, { body: { id: 'k1', principal: 'bob' } })).status).toBe(409);
    const invalid = await t.call('POST', keys, { body: { principal: '', expiresAt: 'tomorrow' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.expiresAt', 'body.principal']);
    expect((await t.call('POST', '/api/v1/services/nope/api-keys', { body: { principal: 'a' } })).status).toBe(404);
    expect((await t.call('GET', '/api/v1/services/other/api-keys/k1')).status).toBe(404);
  });

  it('patches with If-Match and refuses a stale one', async () => {
    await t.call('POST', keys, { body: { id: 'k2', principal: 'alice' } });
    const patched = await t.call('PATCH', `${keys}/k2`, { body: { roles: ['writer'] }, ifMatch: '"v1"' });
    expect(patched.status).toBe(200);
    expect(patched.body.roles).toEqual(['writer']);
    expect(patched.body.secret).toBeUndefined();
    const stale = await t.call('PATCH', `${keys}/k2`, { body: { roles: ['lost'] }, ifMatch: '"v1"' });
    expect(stale.status).toBe(412);
    expect((await t.call('GET', `${keys}/k2`)).body.roles).toEqual(['writer']);
  });

  it('rotates with an overlap: old and new both active until the overlap ends', async () => {
    await t.call('POST', keys, { body: { id: 'k3', principal: 'carol' } });
    const changes = t.changes.length;
    const rotated = await t.call('POST', `${keys}/k3/rotate`, { body: { overlap_seconds: 60 }, ifMatch: '"v1"' });
    expect(rotated.status).toBe(201);
    expect(t.changes.slice(changes)).toEqual([['billing', 'test-owner']]);
    const newId: string = rotated.body.id;
    expect(rotated.body.secret.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(rotated.body.previous).toMatchObject({ id: 'k3', replacedBy: newId, state: 'active' });
    expect(rotated.body.previous.secret).toBeUndefined();
    expect(Date.parse(rotated.body.previous.expiresAt)).toBe(t.clock.now + 60_000);

    const carol = async () => (await t.call('GET', `${keys}?q=carol`)).body.items.map((k: { id: string; state: string }) => [k.id, k.state]).sort();
    expect(await carol()).toEqual([['k3', 'active'], [newId, 'active']].sort());
    t.clock.now += 61_000;
    expect(await carol()).toEqual([['k3', 'expired'], [newId, 'active']].sort());
    t.clock.now -= 61_000;

    const audit = await listAuditEvents(t.store, { action: 'api-key.rotate' });
    expect(JSON.stringify(audit.items)).not.toContain(rotated.body.secret);
    expect(audit.items[0]?.after).toMatchObject({ previous: { id: 'k3', replacedBy: newId }, replacement: { id: newId } });
    expect((await t.call('POST', `${keys}/k3/rotate`, { body: { overlap_seconds: -1 } })).body.error.details.fields[0].path).toBe('body.overlap_seconds');
  });

  it('revokes (If-Match honoured), and a revoked key cannot be rotated', async () => {
    await t.call('POST', keys, { body: { id: 'k4', principal: 'dave' } });
    expect((await t.call('POST', `${keys}/k4/revoke`, { ifMatch: '"v7"' })).status).toBe(412);
    const revoked = await t.call('POST', `${keys}/k4/revoke`, { ifMatch: '"v1"' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('revoked');
    expect(revoked.body.revokedAt).not.toBeNull();
    const onlyRevoked = await t.call('GET', `${keys}?revoked=true`);
    expect(onlyRevoked.body.items.map((k: { id: string }) => k.id)).toEqual(['k4']);
    expect((await t.call('POST', `${keys}/k4/rotate`, { body: {} })).status).toBe(409);
    expect((await t.call('POST', `${keys}/missing/revoke`)).status).toBe(404);
    expect((await t.call('DELETE', `${keys}/k4`)).status).toBe(204);
    expect((await t.call('GET', `${keys}/k4`)).status).toBe(404);
  });

  it('pages through 25 keys with limit 10', async () => {
    await t.call('POST', '/api/v1/services', { body: { name: 'many' } });
    const ids = Array.from({ length: 25 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    for (const id of ids) await t.call('POST', '/api/v1/services/many/api-keys', { body: { id, principal: 'p' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.call('GET', `/api/v1/services/many/api-keys?sort=id&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...res.body.items.map((k: { id: string }) => k.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);
  });
});
