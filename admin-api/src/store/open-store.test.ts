import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, parseDatabaseUrl } from './open-store.js';
import { createService, getService } from './services-repo.js';
import { StoreError } from './store-error.js';
import pg from 'pg';
import { DIALECTS, TEST_PG_SERVER, createTestDatabase, type TestDatabase } from './test-databases.js';

describe.each(DIALECTS)('openStore on %s', (dialect) => {
  let target: TestDatabase;
  beforeAll(async () => {
    target = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await target.drop();
  });

  it('creates the schema, and opening again is a no-op (migrations idempotent)', async () => {
    const first = await openStore(target.url);
    expect(first.dialect).toBe(dialect);
    await createService(first, { name: 'billing' });
    await first.close();
    const second = await openStore(target.url);
    expect((await getService(second, 'billing')).version).toBe(1);
    const applied = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(second.db);
    expect(applied.rows.map((r) => r.name)).toEqual(['001_initial', '002_sidecar_credentials', '003_bundle_publish_status', '004_identity', '005_oauth', '006_access_log_rollups']);
    await second.close();
  });

  it('two stores opened at once both migrate safely', async () => {
    const [a, b] = await Promise.all([openStore(target.url), openStore(target.url)]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('openStore failures', () => {
  it('parses database URLs', () => {
    expect(parseDatabaseUrl('sqlite:./data/agentcore.db')).toEqual({ dialect: 'sqlite', file: './data/agentcore.db' });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('sqlite:///var/lib/a.db')).toEqual({ dialect: 'sqlite', file: '/var/lib/a.db' });
    expect(() => parseDatabaseUrl('mysql://x')).toThrow(/unsupported database URL/);
  });

  it('opens an in-memory SQLite store', async () => {
    const store = await openStore('sqlite::memory:');
    await createService(store, { name: 'mem' });
    expect((await getService(store, 'mem')).name).toBe('mem');
    await store.close();
  });

  it('PostgreSQL unreachable → ADMIN_STORE_UNAVAILABLE quickly', async () => {
    const started = Date.now();
    const err = await openStore('postgres://postgres@127.0.0.1:1/nothing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe('ADMIN_STORE_UNAVAILABLE');
    expect((err as StoreError).status).toBe(503);
    expect((err as StoreError).message).toMatch(/127\.0\.0\.1:1/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a missing PostgreSQL database → ADMIN_STORE_UNAVAILABLE', async () => {
    const err = await openStore('postgres://postgres@127.0.0.1:5432/agentcore_does_not_exist').catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('ADMIN_STORE_UNAVAILABLE');
  });

  it('a locked SQLite file → ADMIN_STORE_UNAVAILABLE after busy_timeout, not a hang', async () => {
    const target = await createTestDatabase('sqlite');
    const store = await openStore(target.url, { busyTimeoutMs: 200 });
    await createService(store, { name: 'before-lock' });
    const other = new SqliteDatabase(target.url.slice('sqlite:'.length));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const started = Date.now();
      const err = await createService(store, { name: 'during-lock' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('ADMIN_STORE_UNAVAILABLE');
      expect((err as StoreError).message).toMatch(/locked or busy/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(Date.now() - started).toBeLessThan(3000);
      // reads still work under WAL
      expect((await getService(store, 'before-lock')).name).toBe('before-lock');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // and the store recovers once the lock is gone
    await createService(store, { name: 'after-lock' });
    await store.close();
    await target.drop();
  });

  it('PostgreSQL dropping every connection (as a restart does) → a clear error at most, then it works again', async () => {
    const db = await createTestDatabase('postgres');
    const store = await openStore(db.url);
    try {
      await createService(store, { name: 'before-restart' });
      // Every server process of this database is terminated: the pool's idle connections are dead.
      const name = new URL(db.url).pathname.slice(1);
      const admin = new pg.Client({ connectionString: `${TEST_PG_SERVER}/postgres` });
      await admin.connect();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
      await admin.end();
      const first = await getService(store, 'before-restart').then(
        () => 'ok',
        (e: unknown) => (e as StoreError).code,
      );
      expect(['ok', 'ADMIN_STORE_UNAVAILABLE']).toContain(first);
      // The pool reconnects by itself: the next calls succeed and nothing was lost.
      expect((await getService(store, 'before-restart')).name).toBe('before-restart');
      await createService(store, { name: 'after-restart' });
      expect((await getService(store, 'after-restart')).name).toBe('after-restart');
    } finally {
      await store.close();
      await db.drop();
    }
  });

  it('a SQLite file that cannot be created → ADMIN_STORE_UNAVAILABLE', async () => {
    const err = await openStore('sqlite:/etc/hostname/sub/a.db').catch((e: unknown) => e);
    expect((err as StoreError).code).toBe('ADMIN_STORE_UNAVAILABLE');
  });
});
