/**
 * Opens the control plane's store: SQLite (embedded default) or PostgreSQL
 * behind one Kysely query layer, and brings the schema up to date.
 */
import SqliteDatabase from 'better-sqlite3';
import { prepareSqliteFile } from './sqlite-file-mode.js';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';
import { toStoreError } from './map-driver-error.js';
import { InCodeMigrationProvider, type Dialect } from './migrations.js';
import { StoreError } from './store-error.js';

/** `sqlite:./data/agentcore.db`, `sqlite:/abs/path.db`, `sqlite::memory:` or `postgres://user@host:port/db`. */
export type DatabaseUrl = string;

/** An open store: the typed query builder and the dialect behind it. */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

/** Tuning of openStore; the defaults suit production. */
export interface OpenStoreOptions {
  /** SQLite: how long a statement waits for a lock held by another connection before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
  /** PostgreSQL: how long to wait for a connection (ms). Default 5000. */
  connectTimeoutMs?: number;
  /** PostgreSQL: pool size. Default 10. */
  poolSize?: number;
}

/** Parses a database URL into its dialect and location. */
export function parseDatabaseUrl(url: DatabaseUrl): { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; connectionString: string } {
  if (url.startsWith('sqlite:')) {
    let file = url.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2); // sqlite:///abs/path
    if (file === '') throw new StoreError('ADMIN_STORE_UNAVAILABLE', `database URL "${url}" has no file: use sqlite:./data/agentcore.db or sqlite::memory:`);
    return { dialect: 'sqlite', file };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return { dialect: 'postgres', connectionString: url };
  throw new StoreError('ADMIN_STORE_UNAVAILABLE', `unsupported database URL "${redact(url)}": use sqlite:PATH, sqlite::memory: or postgres://…`);
}

/** pg parses int8 (BIGINT, COUNT(*)) as string by default; our epoch-ms and ids fit in a double. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/**
 * Opens the database, applies its settings (SQLite: WAL, foreign keys, busy_timeout),
 * runs the migrations, and fails with ADMIN_STORE_UNAVAILABLE or ADMIN_STORE_MIGRATION_FAILED.
 */
export async function openStore(url: DatabaseUrl, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(url);
  let db: Kysely<Database>;
  if (target.dialect === 'sqlite') {
    const memory = target.file === ':memory:';
    let conn: SqliteDatabase.Database;
    try {
      if (!memory) prepareSqliteFile(target.file);
      conn = new SqliteDatabase(target.file, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (err) {
      throw new StoreError('ADMIN_STORE_UNAVAILABLE', `cannot open SQLite database "${target.file}": ${(err as Error).message}`, { cause: err });
    }
    try {
      conn.pragma('foreign_keys = ON');
      if (!memory) conn.pragma('journal_mode = WAL');
      conn.pragma('synchronous = NORMAL');
    } catch (err) {
      conn.close();
      throw toStoreError(err, `opening SQLite database "${target.file}"`);
    }
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  } else {
    const pool = new pg.Pool({
      connectionString: target.connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      max: options.poolSize ?? 10,
      types: pgTypes,
    });
    // An idle client losing its connection (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      await db.destroy().catch(() => {});
      const mapped = toStoreError(err, 'connecting');
      throw mapped instanceof StoreError
        ? mapped
        : new StoreError('ADMIN_STORE_UNAVAILABLE', `cannot connect to PostgreSQL at ${redact(target.connectionString)}: ${(err as Error).message}`, { cause: err });
    }
  }

  await migrate(db, target.dialect).catch(async (err: unknown) => {
    await db.destroy().catch(() => {});
    throw err;
  });

  let closed = false;
  return {
    db,
    dialect: target.dialect,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  let result;
  try {
    result = await migrator.migrateToLatest();
  } catch (err) {
    throw mapMigrationError(err);
  }
  if (result.error !== undefined) throw mapMigrationError(result.error, result.results?.find((r) => r.status === 'Error')?.migrationName);
}

function mapMigrationError(err: unknown, migration?: string): StoreError {
  const mapped = toStoreError(err, 'running migrations');
  if (mapped instanceof StoreError && mapped.code === 'ADMIN_STORE_UNAVAILABLE') return mapped;
  const name = migration === undefined ? '' : ` ${migration}`;
  return new StoreError('ADMIN_STORE_MIGRATION_FAILED', `schema migration${name} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
