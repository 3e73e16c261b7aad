// Validate before commit and referential integrity (issue #10, defects 1-3): refused writes store nothing and say why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../bundles/compile-bundle.js';
import { listAuditEvents, rolesRepo } from '../store/index.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startTestServer, type TestServer } from './test-server.js';

let t: TestServer;
let n = 0;
describe.each(DIALECTS)('on %s', (dialect) => {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    if (dialect === 'postgres') db = await createTestDatabase('postgres');
    t = await startTestServer(db?.url ?? 'sqlite::memory:');
  });
  afterAll(async () => {
    await t.close();
    await db?.drop();
  });

  /** A service with roles viewer ← operator, a route using a rate limit, and principal `p-<n>` holding three keys. */
  async function seeded(): Promise<{ s: string; base: string; principal: string; keys: string[] }> {
    const s = `integ${++n}`;
    const base = `/api/v1/services/${s}`;
    const principal = `p-${n}`;
    const ok = async (method: string, path: string, body?: unknown) => {
      const r = await t.call(method, path, { body });
      if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    await ok('POST', '/api/v1/services', { name: s });
    await ok('POST', '/api/v1/principals', { id: principal, kind: 'service-account', displayName: principal });
    await ok('POST', `${base}/upstreams`, { name: 'app', definition: { targets: [{ name: 'a', url: 'http://127.0.0.1:9' }] } });
    await ok('POST', `${base}/rate-limits`, { id: 'reads', rate: { requests: 10, periodSeconds: 1 } });
    await ok('POST', `${base}/roles`, { name: 'viewer', permissions: ['orders:read'] });
    await ok('POST', `${base}/roles`, { name: 'operator', permissions: ['orders:write'], inherits: ['viewer'] });
    await ok('POST', `${base}/routes`, { id: 'list', match: { path: '/orders' }, upstream: 'app', rateLimits: ['reads'], permissions: ['orders:read'] });
    const keys: string[] = [];
    for (const role of ['viewer', 'viewer', 'operator']) keys.push((await ok('POST', `${base}/api-keys`, { principal, roles: [role] })).id);
    return { s, base, principal, keys };
  }

  const compiledKeys = async (s: string) => {
    const c = await compileBundle(t.store, s, Date.now());
    if (!c.ok) throw new Error(JSON.stringify(c.issues));
    return c.bundle.authentication.apiKeys;
  };

  describe('defect 1: a change that cannot compile is refused, naming what refers to what', () => {
    it('deleting a role inherited by another and used by keys is 409; nothing is stored', async () => {
      const { s, base } = await seeded();
      const r = await t.call('DELETE', `${base}/roles/viewer`);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
      expect(r.body.error.message).toBe('role viewer is inherited by operator and used by 2 API keys');
      expect(r.body.error.details.referencedBy).toMatchObject({ roles: ['operator'] });
      expect(r.body.error.details.referencedBy.apiKeys).toHaveLength(2);
      expect((await rolesRepo.get(t.store, s, 'viewer')).id).toBe('viewer');
      expect((await compileBundle(t.store, s, Date.now())).ok).toBe(true);
    });

    it('?cascade=true removes the references, lists them in the answer and the audit event', async () => {
      const { s, base, keys } = await seeded();
      const r = await t.call('DELETE', `${base}/roles/viewer?cascade=true`);
      expect(r.status).toBe(200);
      expect(r.body.cascade).toEqual(
        expect.arrayContaining([
          { type: 'role', id: 'operator', change: 'no longer inherits viewer' },
          { type: 'api-key', id: keys[0], change: 'no longer has role viewer' },
        ]),
      );
      expect((await rolesRepo.get(t.store, s, 'operator')).definition.inherits).toEqual([]);
      const audit = await listAuditEvents(t.store, { action: 'role.delete' });
      expect(audit.items[0]!.after).toMatchObject({ cascade: r.body.cascade });
      expect((await compileBundle(t.store, s, Date.now())).ok).toBe(true);
    });

    it('refers to something that does not exist: 422, nothing stored', async () => {
      const { s, base } = await seeded();
      const role = await t.call('POST', `${base}/roles`, { body: { name: 'admin', inherits: ['ghost'] } });
      expect(role.status).toBe(422);
      expect(role.body.error.code).toBe('UNPROCESSABLE');
      expect(role.body.error.message).toContain('unknown role "ghost"');
      expect((await t.call('GET', `${base}/roles/admin`)).status).toBe(404);
      const route = await t.call('POST', `${base}/routes`, { body: { id: 'x', match: { path: '/x' }, rateLimits: ['nope'] } });
      expect(route.status).toBe(422);
      expect(route.body.error.details.fields[0]).toMatchObject({ path: 'routes[1].rateLimits[0]', message: 'unknown rate limit "nope"' });
      expect((await t.call('DELETE', `${base}/upstreams/app`)).body.error.message).toBe('upstream app is used by route list');
      expect((await t.call('DELETE', `${base}/rate-limits/reads`)).body.error.message).toBe('rate limit reads is used by route list');
      const c = await compileBundle(t.store, s, Date.now());
      expect(c.ok && c.bundle.routes.map((x) => x.id)).toEqual(['list']);
    });

    it('deleting a JWT issuer a route still authenticates with is 409 naming the route', async () => {
      const { base } = await seeded();
      await t.call('POST', `${base}/jwt-issuers`, { body: { id: 'idp', issuer: 'https://idp.example.com/', audiences: ['orders'], jwksUri: 'https://idp.example.com/jwks' } });
      expect((await t.call('POST', `${base}/routes`, { body: { id: 'jwt-only', match: { path: '/jwt' }, auth: { methods: ['jwt'] } } })).status).toBe(201);
      const r = await t.call('DELETE', `${base}/jwt-issuers/idp`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(/^JWT issuer idp is still needed .*routes\[1\]\.auth\.methods: method "jwt" is not configured/);
      expect((await t.call('GET', `${base}/jwt-issuers/idp`)).status).toBe(200);
    });
  });

  describe('defect 2: principals are enforced; keys refer to principals and roles that exist', () => {
    it('a disabled principal’s keys are marked disabled in the bundle; re-enabling restores them', async () => {
      const { s, principal } = await seeded();
      expect((await compiledKeys(s)).map((k) => k.disabled)).toEqual([false, false, false]);
      expect((await t.call('PATCH', `/api/v1/principals/${principal}`, { body: { disabled: true } })).status).toBe(200);
      expect((await compiledKeys(s)).map((k) => k.disabled)).toEqual([true, true, true]);
      expect((await t.call('PATCH', `/api/v1/principals/${principal}`, { body: { disabled: false } })).status).toBe(200);
      expect((await compiledKeys(s)).map((k) => k.disabled)).toEqual([false, false, false]);
    });

    it('a key for a principal or a role that does not exist is 422', async () => {
      const { base, principal, keys } = await seeded();
      const noPrincipal = await t.call('POST', `${base}/api-keys`, { body: { principal: 'nobody', roles: ['viewer'] } });
      expect(noPrincipal.status).toBe(422);
      expect(noPrincipal.body.error.message).toBe('principal nobody does not exist');
      const noRole = await t.call('POST', `${base}/api-keys`, { body: { principal, roles: ['ghost'] } });
      expect(noRole.status).toBe(422);
      expect(noRole.body.error.message).toContain('unknown role "ghost"');
      expect((await t.call('PATCH', `${base}/api-keys/${keys[0]}`, { body: { roles: ['ghost'] } })).status).toBe(422);
      expect((await t.call('GET', `${base}/api-keys?q=${principal}`)).body.total).toBe(3);
    });
  });

  describe('defect 3: deleting a principal that has keys', () => {
    it('is 409 naming the keys; ?cascade=true deletes them and they leave the bundle', async () => {
      const { s, principal, keys } = await seeded();
      const r = await t.call('DELETE', `/api/v1/principals/${principal}`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toBe(`principal ${principal} holds 3 API keys`);
      expect(await compiledKeys(s)).toHaveLength(3);
      const c = await t.call('DELETE', `/api/v1/principals/${principal}?cascade=true`);
      expect(c.status).toBe(200);
      expect(c.body.cascade.map((x: { id: string }) => x.id).sort()).toEqual([...keys].sort());
      expect(await compiledKeys(s)).toHaveLength(0);
    });
  });

  describe('concurrent writes', () => {
    it('a role deleted while a key is created with it: one of them is refused, the policy still compiles', async () => {
      for (let i = 0; i < 5; i++) {
        const { s, base, principal } = await seeded();
        await t.call('POST', `${base}/roles`, { body: { name: 'temp' } });
        const [del, key] = await Promise.all([t.call('DELETE', `${base}/roles/temp`), t.call('POST', `${base}/api-keys`, { body: { principal, roles: ['temp'] } })]);
        expect([del.status, key.status].sort()).toEqual(del.status === 204 ? [204, 422] : [201, 409]);
        expect((await compileBundle(t.store, s, Date.now())).ok).toBe(true);
      }
    });
  });
});
