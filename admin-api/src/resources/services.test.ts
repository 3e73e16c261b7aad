import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../store/index.js';
import { startTestServer, type TestServer } from './test-server.js';

describe('services and their settings', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates, reads, patches with If-Match, refuses a stale one, deletes', async () => {
    const created = await t.call('POST', '/api/v1/services', { body: { name: 'orders', description: 'v1' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/v1/services/orders');
    expect(created.headers.get('etag')).toBe('"v1"');
    expect((await t.call('POST', '/api/v1/services', { body: { name: 'orders' } })).status).toBe(409);

    const patched = await t.call('PATCH', '/api/v1/services/orders', { body: { description: 'v2' }, ifMatch: '"v1"' });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"v2"');
    const stale = await t.call('PATCH', '/api/v1/services/orders', { body: { description: 'lost' }, ifMatch: '"v1"' });
    expect(stale.status).toBe(412);
    const got = await t.call('GET', '/api/v1/services/orders');
    expect(got.body.description).toBe('v2');
    expect(got.headers.get('etag')).toBe('"v2"');

    const bad = await t.call('POST', '/api/v1/services', { body: { name: 'Not A Label' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('body.name');
    expect((await t.call('PATCH', '/api/v1/services/nope', { body: { description: 'x' } })).status).toBe(404);
    expect((await t.call('GET', '/api/v1/services/orders', { role: null })).status).toBe(401);

    expect((await t.call('DELETE', '/api/v1/services/orders', { ifMatch: '"v1"' })).status).toBe(412);
    expect((await t.call('DELETE', '/api/v1/services/orders')).status).toBe(204);
    expect((await t.call('GET', '/api/v1/services/orders')).status).toBe(404);
    expect(t.changes.filter(([s]) => s === 'orders')).toHaveLength(3);
    const audit = await listAuditEvents(t.store, { resourceType: 'service', resourceId: 'orders' });
    expect(audit.items.map((e) => e.action).reverse()).toEqual(['service.create', 'service.update', 'service.delete']);
    expect(audit.items[1]).toMatchObject({ before: { name: 'orders', description: 'v1' }, after: { name: 'orders', description: 'v2' } });
  });

  it('pages through 25 services with limit 10, filters by prefix, sorts', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) await t.call('POST', '/api/v1/services', { body: { name } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.call('GET', `/api/v1/services?q=page-&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.total).toBe(25);
      seen.push(...res.body.items.map((s: { name: string }) => s.name));
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(names);
    const desc = await t.call('GET', '/api/v1/services?q=page-&sort=name&order=desc&limit=2');
    expect(desc.body.items.map((s: { name: string }) => s.name)).toEqual(['page-24', 'page-23']);
    expect((await t.call('GET', '/api/v1/services?cursor=garbage')).status).toBe(400);
  });

  it('reads and replaces settings with If-Match; absent sections become null', async () => {
    await t.call('POST', '/api/v1/services', { body: { name: 'shop' } });
    const initial = await t.call('GET', '/api/v1/services/shop/settings');
    expect(initial.status).toBe(200);
    expect(initial.headers.get('etag')).toBe('"v1"');
    expect(initial.body).toMatchObject({ service: 'shop', cors: null, securityHeaders: null, logging: null, limits: null });

    const put = await t.call('PUT', '/api/v1/services/shop/settings', {
      body: { cors: { allowOrigins: ['https://app.example.com'] }, limits: { maxBodyBytes: 1000 } },
      ifMatch: '"v1"',
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"v2"');
    expect(put.body.cors.allowOrigins).toEqual(['https://app.example.com']);
    expect(put.body.limits).toEqual({ maxBodyBytes: 1000 });

    expect((await t.call('PUT', '/api/v1/services/shop/settings', { body: {}, ifMatch: '"v1"' })).status).toBe(412);
    const replaced = await t.call('PUT', '/api/v1/services/shop/settings', { body: { limits: { maxBodyBytes: 5 } } });
    expect(replaced.body.cors).toBeNull();

    const invalid = await t.call('PUT', '/api/v1/services/shop/settings', { body: { cors: { allowOrigins: ['*'], allowCredentials: true } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.fields[0].path).toBe('body.cors.allowOrigins');
    expect((await t.call('GET', '/api/v1/services/nope/settings')).status).toBe(404);
    expect((await t.call('PUT', '/api/v1/services/nope/settings', { body: {} })).status).toBe(404);

    const audit = await listAuditEvents(t.store, { resourceType: 'settings', resourceId: 'shop' });
    expect(audit.items).toHaveLength(2);
    expect(audit.items[0]?.before).toMatchObject({ limits: { maxBodyBytes: 1000 } });
    expect(audit.items[0]?.after).toMatchObject({ cors: null, limits: { maxBodyBytes: 5 } });
  });
});
