/**
 * Versioned schema migrations, kept in code (no files on disk) and run by
 * Kysely's Migrator at start-up. Never edit a released migration: add the next one.
 */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { identityMigration } from './identity-migrations.js';
import { oauthServer } from './oauth-migration.js';
import { accessLogRollupsMigration } from './rollup-migration.js';

/** The SQL dialects the store speaks. */
export type Dialect = 'sqlite' | 'postgres';

type Table = CreateTableBuilder<string, string>;

// Declarative migration (exempt from the 80-line function rule): table definitions only.
/** Migration 001: every table of the first release. */
function initial(dialect: Dialect): Migration {
  // Identity column for append-only tables: SQLite's rowid alias, a PostgreSQL identity.
  const serial = (t: Table): Table =>
    dialect === 'sqlite'
      ? t.addColumn('id', 'integer', (c) => c.primaryKey())
      : t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  const versioned = (t: Table): Table =>
    t
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1));
  const serviceFk = (t: Table): Table =>
    t.addColumn('service', 'text', (c) => c.notNull().references('services.name').onDelete('cascade'));

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await versioned(
        db.schema.createTable('services').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('description', 'text'),
      ).execute();

      await db.schema
        .createTable('service_settings')
        .addColumn('service', 'text', (c) => c.primaryKey().references('services.name').onDelete('cascade'))
        .addColumn('cors', 'text')
        .addColumn('security_headers', 'text')
        .addColumn('logging', 'text')
        .addColumn('limits', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();

      for (const name of ['routes', 'upstreams', 'roles', 'rate_limits', 'jwt_issuers']) {
        await versioned(
          serviceFk(db.schema.createTable(name))
            .addColumn('id', 'text', (c) => c.notNull())
            .addColumn('definition', 'text', (c) => c.notNull()),
        )
          .addPrimaryKeyConstraint(`${name}_pk`, ['service', 'id'])
          .execute();
      }

      await versioned(
        db.schema
          .createTable('principals')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['user', 'service-account'])))
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)),
      ).execute();

      await versioned(
        serviceFk(db.schema.createTable('api_keys').addColumn('id', 'text', (c) => c.primaryKey()))
          .addColumn('principal', 'text', (c) => c.notNull())
          .addColumn('description', 'text')
          .addColumn('prefix', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull().unique())
          .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('not_before', 'bigint')
          .addColumn('expires_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .addColumn('replaced_by', 'text')
          .addColumn('last_used_at', 'bigint'),
      ).execute();
      await db.schema.createIndex('api_keys_service_idx').on('api_keys').columns(['service', 'id']).execute();
      await db.schema.createIndex('api_keys_principal_idx').on('api_keys').column('principal').execute();

      await versioned(
        db.schema
          .createTable('admin_users')
          .addColumn('username', 'text', (c) => c.primaryKey())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull().check(sqlIn('role', ['owner', 'security-admin', 'platform-engineer', 'auditor'])))
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)),
      ).execute();

      await db.schema
        .createTable('admin_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().references('admin_users.username').onDelete('cascade'))
        .addColumn('csrf_token_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('admin_sessions_expires_idx').on('admin_sessions').column('expires_at').execute();

      await db.schema
        .createTable('personal_access_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().references('admin_users.username').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();

      await serviceFk(db.schema.createTable('bundle_revisions'))
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bundle_revisions_pk', ['service', 'revision'])
        .execute();

      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();

      await serviceFk(db.schema.createTable('sidecars'))
        .addColumn('instance_id', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('applied_revision', 'integer')
        .addColumn('rejected_revision', 'integer')
        .addColumn('rejection_reason', 'text')
        .addColumn('uptime_ms', 'bigint')
        .addColumn('counters', 'text')
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('sidecars_pk', ['service', 'instance_id'])
        .execute();

      await serial(db.schema.createTable('audit_events'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('resource_type', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('before', 'text')
        .addColumn('after', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull().check(sqlIn('outcome', ['allowed', 'denied'])))
        .execute();
      await db.schema.createIndex('audit_events_at_idx').on('audit_events').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_events_actor_idx').on('audit_events').columns(['actor', 'at']).execute();
      await db.schema.createIndex('audit_events_resource_idx').on('audit_events').columns(['resource_type', 'resource_id', 'at']).execute();

      await serial(db.schema.createTable('access_logs'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('principal', 'text')
        .addColumn('api_key_id', 'text')
        .addColumn('route_id', 'text')
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('client', 'text')
        .addColumn('latency_ms', 'double precision')
        .execute();
      // Keyset order is (at, id); each search filter has an index leading with its column.
      await db.schema.createIndex('access_logs_at_idx').on('access_logs').columns(['at', 'id']).execute();
      for (const col of ['service', 'principal', 'api_key_id', 'route_id', 'status', 'decision', 'request_id']) {
        await db.schema.createIndex(`access_logs_${col}_idx`).on('access_logs').columns([col, 'at']).execute();
      }
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of [
        'access_logs', 'audit_events', 'sidecars', 'signing_keys', 'bundle_revisions', 'personal_access_tokens', 'admin_sessions',
        'admin_users', 'api_keys', 'principals', 'jwt_issuers', 'rate_limits', 'roles', 'upstreams', 'routes', 'service_settings', 'services',
      ]) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}

/** A CHECK (col IN (...)) expression over literal strings known at build time. */
function sqlIn(column: string, values: readonly string[]) {
  return sqlRaw(`${column} in (${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
}

const sqlRaw = (text: string) => sql.raw<boolean>(text);

/** Migration 002: per-service sidecar credentials (bearer tokens stored as their SHA-256). */
function sidecarCredentials(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sidecar_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('service', 'text', (c) => c.notNull().references('services.name').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('sidecar_credentials_service_idx').on('sidecar_credentials').columns(['service', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('sidecar_credentials').ifExists().execute();
    },
  };
}

/** Migration 003: per-service publish status (desired vs published state, last failure, retry), kept across restarts. */
function bundlePublishStatus(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('bundle_publish_status')
        .addColumn('service', 'text', (c) => c.primaryKey().references('services.name').onDelete('cascade'))
        .addColumn('desired_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('desired_at', 'bigint', (c) => c.notNull())
        .addColumn('published_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('published_at', 'bigint')
        .addColumn('failure_at', 'bigint')
        .addColumn('failure_code', 'text')
        .addColumn('failure_message', 'text')
        .addColumn('failure_issues', 'text')
        .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_retry_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('bundle_publish_status').ifExists().execute();
    },
  };
}

/** The migrations of the store, by name (applied in name order). */
export function storeMigrations(dialect: Dialect): Record<string, Migration> {
  return {
    '001_initial': initial(dialect),
    '002_sidecar_credentials': sidecarCredentials(),
    '003_bundle_publish_status': bundlePublishStatus(),
    '004_identity': identityMigration(),
    '005_oauth': oauthServer(),
    '006_access_log_rollups': accessLogRollupsMigration(),
  };
}

/** A Kysely MigrationProvider over the in-code migrations. */
export class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return storeMigrations(this.dialect);
  }
}
