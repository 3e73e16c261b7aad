import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, openStore, routesRepo, type Store } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { createPostgresNotifier, type PostgresChangeNotifier } from './postgres-notifier.js';
import { startBundleServer, type BundleTestServer } from './test-bundle-server.js';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let storeA: Store;
let storeB: Store;
let a: BundleTestServer;
let b: BundleTestServer;
let notifierB: PostgresChangeNotifier;

beforeAll(async () => {
  db = await createTestDatabase('postgres');
  storeA = await openStore(db.url);
  storeB = await openStore(db.url);
  await createService(storeA, { name: 'orders' });
  a = await startBundleServer({ databaseUrl: db.url, store: storeA, notifier: await createPostgresNotifier(db.url, log) });
  notifierB = await createPostgresNotifier(db.url, log);
  b = await startBundleServer({ databaseUrl: db.url, store: storeB, notifier: notifierB });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await storeA?.close();
  await storeB?.close();
  await db?.drop();
});

async function longPollOn(srv: BundleTestServer, token: string, etag: string) {
  const res = await fetch(`${srv.base}/api/v1/sidecar/bundles/orders?wait=30`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': `"${etag}"` } });
  await res.arrayBuffer();
  return { status: res.status, etag: res.headers.get('etag') };
}

describe('two replicas on one PostgreSQL database', () => {
  it('a publish on replica A wakes a long-poll waiting on replica B within 1 s, also after the LISTEN connection was killed', async () => {
    const token = (await a.call('POST', '/api/v1/services/orders/sidecar-credentials', { body: { name: 'o' } })).body.token as string;
    await routesRepo.create(storeA, 'orders', { id: 'r0', match: { path: '/r0' } });
    let current = (await a.bundles.publish('orders', 'alice')) as { revision: number; hash: string };

    const publishAndMeasure = async (id: string) => {
      const waiting = longPollOn(b, token, current.hash);
      while (b.bundles.waiting < 1) await new Promise((r) => setTimeout(r, 5));
      await routesRepo.create(storeA, 'orders', { id, match: { path: `/${id}` } });
      const t0 = Date.now();
      const next = (await a.bundles.publish('orders', 'alice')) as { revision: number; hash: string };
      const woke = await waiting;
      const elapsed = Date.now() - t0;
      expect(woke).toEqual({ status: 200, etag: `"${next.hash}"` });
      current = next;
      return elapsed;
    };

    expect(await publishAndMeasure('r1')).toBeLessThan(1000);

    // Kill every LISTEN backend (both replicas); the notifiers reconnect with back-off.
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const killed = await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN%' and datname = current_database()");
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    const deadline = Date.now() + 10_000;
    while (notifierB.listening && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    while (!notifierB.listening && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(notifierB.listening).toBe(true);

    expect(await publishAndMeasure('r2')).toBeLessThan(1000);
  });

  it('the notifier delivers across connections, and again after its backend is terminated', async () => {
    const n1 = await createPostgresNotifier(db.url, log);
    const n2 = await createPostgresNotifier(db.url, log);
    try {
      const heard: string[] = [];
      n2.subscribe((s, r) => heard.push(`${s}@${r}`));
      await n1.publish('svc', 1);
      const until = async (what: string) => {
        const end = Date.now() + 5000;
        while (!heard.includes(what) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
        expect(heard).toContain(what);
      };
      await until('svc@1');
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where query like 'LISTEN%' and datname = current_database()");
      await admin.end();
      // Publish until delivered: announcements sent while reconnecting are lost by design (waiters also sweep).
      const end = Date.now() + 10_000;
      let i = 2;
      while (!heard.some((h) => h.startsWith('svc@') && h !== 'svc@1') && Date.now() < end) {
        await n1.publish('svc', i++).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(n2.listening).toBe(true);
      expect(heard.length).toBeGreaterThan(1);
    } finally {
      await n1.close();
      await n2.close();
    }
  });
});
