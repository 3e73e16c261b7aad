import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../store/index.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startTestServer, type TestServer } from './test-server.js';

/** How each definition kind is written through the API. */
interface KindCase {
  segment: string;
  type: string;
  /** POST body creating `id` */
  create(id: string): unknown;
  /** PUT body replacing `id` with a changed definition */
  replace(id: string): unknown;
  /** a field of the replaced definition that shows the change */
  changed(definition: Record<string, unknown>): unknown;
  invalid: unknown;
  invalidPath: string;
  /** a PUT body whose own id differs from the URL's (kinds with an id in the definition) */
  renamed?: (id: string) => unknown;
  renamedPath?: string;
}

const KINDS: KindCase[] = [
  {
    segment: 'routes',
    type: 'route',
    create: (id) => ({ id, match: { path: `/r/${id}` } }),
    replace: (id) => ({ id, description: 'changed', match: { path: `/r/${id}` } }),
    changed: (d) => d.description,
    invalid: { id: 'bad', match: { path: 'no-slash' } },
    invalidPath: 'body.match.path',
    renamed: () => ({ id: 'other', match: { path: '/x' } }),
    renamedPath: 'body.id',
  },
  {
    segment: 'upstreams',
    type: 'upstream',
    create: (id) => ({ name: id, definition: { targets: [{ name: 'a', url: 'http://127.0.0.1:9000' }] } }),
    replace: () => ({ targets: [{ name: 'a', url: 'http://127.0.0.1:9001' }] }),
    changed: (d) => (d.targets as { url: string }[])[0]?.url,
    invalid: { name: 'bad', definition: { targets: [{ name: 'a', url: 'ftp://x' }] } },
    invalidPath: 'body.definition.targets.0.url',
  },
  {
    segment: 'roles',
    type: 'role',
    create: (id) => ({ name: id, permissions: ['orders:read'] }),
    replace: (id) => ({ name: id, description: 'changed', permissions: ['orders:read'] }),
    changed: (d) => d.description,
    invalid: { name: 'bad', permissions: ['NOT A PERMISSION'] },
    invalidPath: 'body.permissions.0',
    renamed: () => ({ name: 'other' }),
    renamedPath: 'body.name',
  },
  {
    segment: 'rate-limits',
    type: 'rate-limit',
    create: (id) => ({ id, rate: { requests: 10, periodSeconds: 1 } }),
    replace: (id) => ({ id, rate: { requests: 20, periodSeconds: 1 } }),
    changed: (d) => (d.rate as { requests: number }).requests,
    invalid: { id: 'bad' },
    invalidPath: 'body.rate',
    renamed: () => ({ id: 'other', rate: { requests: 1, periodSeconds: 1 } }),
    renamedPath: 'body.id',
  },
  {
    segment: 'jwt-issuers',
    type: 'jwt-issuer',
    // one issuer URL per issuer: two issuers with the same URL would not compile (validate before commit)
    create: (id) => ({ id, issuer: `https://idp.example.com/${id}`, audiences: ['orders'], jwksUri: 'https://idp.example.com/jwks' }),
    replace: (id) => ({ id, issuer: `https://idp.example.com/${id}`, audiences: ['billing'], jwksUri: 'https://idp.example.com/jwks' }),
    changed: (d) => d.audiences,
    invalid: { id: 'bad', issuer: 'https://idp.example.com/', audiences: [] },
    invalidPath: 'body.audiences',
    renamed: () => ({ id: 'other', issuer: 'i', audiences: ['a'], jwksUri: 'https://idp.example.com/jwks' }),
    renamedPath: 'body.id',
  },
];

describe.each(DIALECTS)('service definitions CRUD on %s', (dialect) => {
  let db: TestDatabase | undefined;
  let t: TestServer;
  beforeAll(async () => {
    if (dialect === 'postgres') db = await createTestDatabase('postgres');
    t = await startTestServer(db?.url ?? 'sqlite::memory:');
  });
  afterAll(async () => {
    await t.close();
    await db?.drop();
  });

  describe.each(KINDS)('$segment', (k) => {
    const service = `svc-${k.segment}`;
    const base = `/api/v1/services/${service}/${k.segment}`;
    const changesOf = () => t.changes.filter(([s]) => s === service).length;

    beforeAll(async () => {
      expect((await t.call('POST', '/api/v1/services', { body: { name: service } })).status).toBe(201);
    });

    it('creates, reads with ETag, replaces with If-Match, refuses a stale If-Match, deletes', async () => {
      const before = changesOf();
      const created = await t.call('POST', base, { body: k.create('one') });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`${base}/one`);
      expect(created.headers.get('etag')).toBe('"v1"');
      expect(created.body).toMatchObject({ service, id: 'one', version: 1 });

      const got = await t.call('GET', `${base}/one`, { role: 'auditor' });
      expect(got.status).toBe(200);
      expect(got.headers.get('etag')).toBe('"v1"');
      expect(got.body.definition).toEqual(created.body.definition);

      const replaced = await t.call('PUT', `${base}/one`, { body: k.replace('one'), ifMatch: '"v1"' });
      expect(replaced.status).toBe(200);
      expect(replaced.headers.get('etag')).toBe('"v2"');
      const changedValue = k.changed(replaced.body.definition);

      const stale = await t.call('PUT', `${base}/one`, { body: k.replace('one'), ifMatch: '"v1"' });
      expect(stale.status).toBe(412);
      expect(stale.body.error.code).toBe('PRECONDITION_FAILED');
      const after = await t.call('GET', `${base}/one`);
      expect(after.headers.get('etag')).toBe('"v2"');
      expect(k.changed(after.body.definition)).toEqual(changedValue);

      expect((await t.call('DELETE', `${base}/one`, { ifMatch: '"v1"' })).status).toBe(412);
      expect((await t.call('DELETE', `${base}/one`, { ifMatch: '"v2"' })).status).toBe(204);
      expect((await t.call('GET', `${base}/one`)).status).toBe(404);

      expect(changesOf() - before).toBe(3);
      expect(t.changes.at(-1)).toEqual([service, 'test-owner']);
      const audit = await listAuditEvents(t.store, { resourceType: k.type, resourceId: `${service}/one` });
      expect(audit.items.map((e) => e.action).reverse()).toEqual([`${k.type}.create`, `${k.type}.update`, `${k.type}.delete`]);
      const update = audit.items.find((e) => e.action === `${k.type}.update`);
      expect(update?.actor).toBe('test-owner');
      expect(update?.before).toEqual(created.body.definition);
      expect(update?.after).toEqual(replaced.body.definition);
    });

    it('accepts an update without If-Match, answers 409 for a duplicate', async () => {
      expect((await t.call('POST', base, { body: k.create('dup') })).status).toBe(201);
      const dup = await t.call('POST', base, { body: k.create('dup') });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('CONFLICT');
      expect((await t.call('PUT', `${base}/dup`, { body: k.replace('dup') })).status).toBe(200);
    });

    it('answers 400 with the path of each invalid field, and changes nothing', async () => {
      const before = changesOf();
      const res = await t.call('POST', base, { body: k.invalid });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_REQUEST');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(k.invalidPath);
      expect((await t.call('GET', `${base}/bad`)).status).toBe(404);
      expect(changesOf()).toBe(before);
      if (k.renamed) {
        await t.call('POST', base, { body: k.create('fixed') });
        const renamed = await t.call('PUT', `${base}/fixed`, { body: k.renamed('fixed') });
        expect(renamed.status).toBe(400);
        expect(renamed.body.error.details.fields[0].path).toBe(k.renamedPath);
      }
    });

    it('answers 404 for an unknown service or id', async () => {
      const other = `/api/v1/services/no-such-service/${k.segment}`;
      expect((await t.call('GET', other)).status).toBe(404);
      expect((await t.call('POST', other, { body: k.create('x') })).status).toBe(404);
      expect((await t.call('GET', `${other}/x`)).status).toBe(404);
      expect((await t.call('GET', `${base}/missing`)).status).toBe(404);
      expect((await t.call('PUT', `${base}/missing`, { body: k.replace('missing') })).status).toBe(404);
      expect((await t.call('DELETE', `${base}/missing`)).status).toBe(404);
    });

    it('pages through 25 items with limit 10 without duplicates or gaps, filters and sorts', async () => {
      const svc = `${service}-page`;
      await t.call('POST', '/api/v1/services', { body: { name: svc } });
      const coll = `/api/v1/services/${svc}/${k.segment}`;
      const ids = Array.from({ length: 25 }, (_, i) => `p-${String(i).padStart(2, '0')}`);
      for (const id of ids) expect((await t.call('POST', coll, { body: k.create(id) })).status).toBe(201);

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await t.call('GET', `${coll}?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(25);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(3);
      expect(seen).toEqual(ids);

      const filtered = await t.call('GET', `${coll}?q=p-1&limit=200`);
      expect(filtered.body.items.map((i: { id: string }) => i.id)).toEqual(ids.slice(10, 20));
      const desc = await t.call('GET', `${coll}?sort=id&order=desc&limit=3`);
      expect(desc.body.items.map((i: { id: string }) => i.id)).toEqual(['p-24', 'p-23', 'p-22']);

      const tooMany = await t.call('GET', `${coll}?limit=201`);
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.error.details.fields[0].path).toBe('query.limit');
      expect((await t.call('GET', `${coll}?sort=nope`)).status).toBe(400);
    });
  });
});
