import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../store/index.js';
import { startTestServer, type TestServer } from './test-server.js';

describe('principals', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, reads, patches with If-Match, deletes; notifies the services holding its keys', async () => {
    const created = await t.call('POST', '/api/v1/principals', { role: 'security-admin', body: { id: 'alice@example.com', kind: 'user', displayName: 'Alice' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/principals/alice%40example.com');
    expect(created.body).toMatchObject({ roles: [], disabled: false, version: 1 });
    expect(t.changes).toEqual([]);
    expect((await t.call('POST', '/api/v1/principals', { body: { id: 'alice@example.com', kind: 'user', displayName: 'A' } })).status).toBe(409);

    for (const s of ['a-svc', 'b-svc']) {
      await t.call('POST', '/api/v1/services', { body: { name: s } });
      await t.call('POST', `/api/v1/services/${s}/api-keys`, { body: { principal: 'alice@example.com' } });
    }
    const before = t.changes.length;
    const patched = await t.call('PATCH', '/api/v1/principals/alice@example.com', { body: { roles: ['reader'], disabled: true }, ifMatch: '"v1"' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"v2"');
    expect(t.changes.slice(before).map(([s]) => s)).toEqual(['a-svc', 'b-svc']);
    expect((await t.call('PATCH', '/api/v1/principals/alice@example.com', { body: { displayName: 'lost' }, ifMatch: '"v1"' })).status).toBe(412);
    expect((await t.call('GET', '/api/v1/principals/alice@example.com')).body.displayName).toBe('Alice');

    const audit = await listAuditEvents(t.store, { resourceType: 'principal', action: 'principal.update' });
    expect(audit.items[0]).toMatchObject({ before: { roles: [], disabled: false }, after: { roles: ['reader'], disabled: true } });

    // it holds keys: refused unless ?cascade=true (issue #10); If-Match is checked after the cascade in the same transaction
    expect((await t.call('DELETE', '/api/v1/principals/alice@example.com')).status).toBe(409);
    expect((await t.call('DELETE', '/api/v1/principals/alice@example.com?cascade=true', { ifMatch: '"v1"' })).status).toBe(412);
    expect((await t.call('GET', '/api/v1/services/a-svc/api-keys')).body.total).toBe(1);
    const before2 = t.changes.length;
    expect((await t.call('DELETE', '/api/v1/principals/alice@example.com?cascade=true')).status).toBe(200);
    expect(t.changes.slice(before2).map(([s]) => s)).toEqual(['a-svc', 'b-svc']);
    expect((await t.call('GET', '/api/v1/services/a-svc/api-keys')).body.total).toBe(0);
    expect((await t.call('GET', '/api/v1/principals/alice@example.com')).status).toBe(404);
  });

  it('answers 400 with field paths', async () => {
    const res = await t.call('POST', '/api/v1/principals', { body: { id: '', kind: 'robot', displayName: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['body.id', 'body.kind']);
  });

  it('pages through 25 with limit 10, filters by kind and prefix, sorts', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `sa-${String(i).padStart(2, '0')}`);
    for (const id of ids) await t.call('POST', '/api/v1/principals', { body: { id, kind: 'service-account', displayName: id } });
    await t.call('POST', '/api/v1/principals', { body: { id: 'sa-user', kind: 'user', displayName: 'u' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.call('GET', `/api/v1/principals?q=sa-&kind=service-account&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.total).toBe(25);
      seen.push(...res.body.items.map((p: { id: string }) => p.id));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(ids);
    const desc = await t.call('GET', '/api/v1/principals?q=sa-&order=desc&limit=1');
    expect(desc.body.items[0].id).toBe('sa-user');
  });
});
