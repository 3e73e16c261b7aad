/** The OAuth authorization server's tables (migration 010), kept apart from migrations.ts so each file stays small. */
import { sql } from 'kysely';
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

type Table = CreateTableBuilder<string, string>;

/** Migration 010: the OAuth 2.0 authorization server (clients, token signing keys, issued tokens, codes) and per-service introspection endpoints. */
export function oauthServer(): Migration {
  const times = (t: Table): Table =>
    t
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createTable('oauth_settings').addColumn('name', 'text', (c) => c.primaryKey()).addColumn('value', 'text', (c) => c.notNull()).execute();
      await times(
        db.schema
          .createTable('oauth_clients')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('type', 'text', (c) => c.notNull().check(sql<boolean>`type in ('confidential', 'public')`))
          .addColumn('secret_sha256', 'text')
          .addColumn('secret_prefix', 'text')
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)),
      ).execute();
      await db.schema
        .createTable('oauth_signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activates_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .execute();
      await db.schema
        .createTable('oauth_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql<boolean>`kind in ('access', 'refresh')`))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('token_sha256', 'text', (c) => c.unique())
        .addColumn('info', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('rotated_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('oauth_tokens_revoked_idx').on('oauth_tokens').columns(['audience', 'revoked_at', 'expires_at']).execute();
      await db.schema.createIndex('oauth_tokens_family_idx').on('oauth_tokens').column('family_id').execute();
      await db.schema.createIndex('oauth_tokens_expires_idx').on('oauth_tokens').column('expires_at').execute();
      await db.schema
        .createTable('oauth_codes')
        .addColumn('code_sha256', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('family_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .execute();
      await times(
        db.schema
          .createTable('introspection_endpoints')
          .addColumn('service', 'text', (c) => c.notNull().references('services.name').onDelete('cascade'))
          .addColumn('id', 'text', (c) => c.notNull())
          .addColumn('definition', 'text', (c) => c.notNull()),
      )
        .addPrimaryKeyConstraint('introspection_endpoints_pk', ['service', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const t of ['introspection_endpoints', 'oauth_codes', 'oauth_tokens', 'oauth_signing_keys', 'oauth_clients', 'oauth_settings']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
