/**
 * Row types of the identity tables (migration 003_identity) and a Kysely view that knows them, so
 * the identity repositories type-check without touching the shared `Database` interface.
 */
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { dbOf, type Queryable } from './queryable.js';

export type IdentityProvidersTable = {
  id: string;
  type: 'ldap' | 'oidc' | 'local';
  display_name: string;
  enabled: number;
  /** JSON array of username domains routed to this provider */
  domains: string;
  /** JSON of the provider's settings without secrets */
  config: string;
  /** envelope ciphertext of the provider's secret (LDAP bind password, OIDC client secret); null when none */
  secret: string | null;
  created_at: number;
  updated_at: number;
  version: number;
}

export type LoginFailuresTable = {
  /** `u:<username>` or `c:<client address>` */
  key: string;
  at: number;
}

export type SsoLoginsTable = {
  /** SHA-256 of the `state` sent to the IdP */
  state_hash: string;
  provider: string;
  code_verifier: string;
  nonce: string;
  return_to: string;
  expires_at: number;
}

export type IdentityTables = {
  identity_providers: IdentityProvidersTable;
  login_failures: LoginFailuresTable;
  sso_logins: SsoLoginsTable;
};

/** The Kysely instance behind a Queryable, typed with the identity tables too. */
export const identityDb = (q: Queryable): Kysely<Database & IdentityTables> => dbOf(q).withTables<IdentityTables>();
