/**
 * Kysely types of the OAuth tables (migration 010) and the typed handle over them, so the OAuth
 * repositories do not widen the shared `Database` interface.
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { dbOf, type Queryable } from './queryable.js';

export interface OAuthSettingsTable {
  name: string;
  value: string;
}
export interface OAuthClientsTable {
  id: string;
  name: string;
  type: 'confidential' | 'public';
  secret_sha256: string | null;
  secret_prefix: string | null;
  /** JSON of OAuthClientSettings */
  settings: string;
  disabled: 0 | 1;
  created_at: number;
  updated_at: number;
  version: number;
}
export interface OAuthSigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at: number;
  /** the key signs from this instant on (it is published before) */
  activates_at: number;
  /** unpublished from this instant on (set when a successor is created: its activation + the longest token life) */
  expires_at: number | null;
}
export interface OAuthTokensTable {
  jti: string;
  kind: 'access' | 'refresh';
  client_id: string;
  subject: string;
  audience: string;
  scope: string;
  family_id: string;
  /** refresh tokens only: SHA-256 of the opaque token */
  token_sha256: string | null;
  /** JSON: roles, username, groups… for introspection and refresh */
  info: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
}
export interface OAuthCodesTable {
  code_sha256: string;
  client_id: string;
  data: string;
  family_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
export interface IntrospectionEndpointsTable {
  service: string;
  id: string;
  definition: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** The store's tables plus the OAuth ones. */
export interface OAuthDatabase extends Database {
  oauth_settings: OAuthSettingsTable;
  oauth_clients: OAuthClientsTable;
  oauth_signing_keys: OAuthSigningKeysTable;
  oauth_tokens: OAuthTokensTable;
  oauth_codes: OAuthCodesTable;
  introspection_endpoints: IntrospectionEndpointsTable;
}

/** The Kysely handle of a Queryable, typed with the OAuth tables. */
export const oauthDb = (q: Queryable): Kysely<OAuthDatabase> => dbOf(q) as unknown as Kysely<OAuthDatabase>;
