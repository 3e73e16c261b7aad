/**
 * The row types of the store, one interface per table (Kysely's `Database`).
 * Conventions, the same on SQLite and PostgreSQL:
 * - times are integer milliseconds since the Unix epoch (BIGINT / INTEGER);
 * - JSON is TEXT (serialised by the repositories), never JSONB, so queries stay portable;
 * - booleans are INTEGER 0/1 (better-sqlite3 cannot bind booleans);
 * - `version` starts at 1 and is incremented by every update: it is the ETag and the If-Match check.
 */
import type { Generated } from 'kysely';

/** Epoch milliseconds. */
export type EpochMs = number;
/** A JSON document serialised as text. */
export type JsonText = string;
/** 0 or 1. */
export type Flag = 0 | 1;

export interface ServicesTable {
  name: string;
  description: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  version: number;
}

/** CORS, security headers, logging and limits of one service (one row per service, created with it). */
export interface ServiceSettingsTable {
  service: string;
  cors: JsonText | null;
  security_headers: JsonText | null;
  logging: JsonText | null;
  limits: JsonText | null;
  updated_at: EpochMs;
  version: number;
}

/** The shape shared by routes, upstreams, roles, rate_limits and jwt_issuers: a definition keyed by (service, id). */
export interface ServiceResourceTable {
  service: string;
  /** route id, upstream name, role name, rate-limit id or JWT issuer id */
  id: string;
  definition: JsonText;
  created_at: EpochMs;
  updated_at: EpochMs;
  version: number;
}

export interface PrincipalsTable {
  id: string;
  kind: 'user' | 'service-account';
  display_name: string;
  roles: JsonText;
  disabled: Flag;
  created_at: EpochMs;
  updated_at: EpochMs;
  version: number;
}

export interface ApiKeysTable {
  id: string;
  service: string;
  principal: string;
  description: string | null;
  /** first characters of the key, for display and lookup hints; the key itself is never stored */
  prefix: string;
  /** hex SHA-256 of the whole key */
  sha256: string;
  roles: JsonText;
  scopes: JsonText;
  not_before: EpochMs | null;
  expires_at: EpochMs | null;
  revoked_at: EpochMs | null;
  /** id of the key that replaced this one by rotation */
  replaced_by: string | null;
  last_used_at: EpochMs | null;
  created_at: EpochMs;
  updated_at: EpochMs;
  version: number;
}

export interface AdminUsersTable {
  username: string;
  password_hash: string;
  role: 'owner' | 'security-admin' | 'platform-engineer' | 'auditor';
  disabled: Flag;
  created_at: EpochMs;
  updated_at: EpochMs;
  version: number;
}

export interface AdminSessionsTable {
  /** SHA-256 of the session cookie value */
  id: string;
  username: string;
  csrf_token_hash: string;
  created_at: EpochMs;
  expires_at: EpochMs;
  last_seen_at: EpochMs;
}

export interface PersonalAccessTokensTable {
  id: string;
  username: string;
  name: string;
  prefix: string;
  /** hex SHA-256 of the token; the token itself is never stored */
  sha256: string;
  created_at: EpochMs;
  expires_at: EpochMs | null;
  revoked_at: EpochMs | null;
  last_used_at: EpochMs | null;
}

export interface BundleRevisionsTable {
  service: string;
  revision: number;
  /** `sha256:` + hex of the canonical bundle */
  hash: string;
  content: JsonText;
  /** compact JWS over the content */
  signature: string;
  created_at: EpochMs;
  created_by: string;
}

/** Bundle signing keys. The private JWK is stored in clear for now (to do: encrypt at rest with a key from the environment). */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: JsonText;
  private_jwk: JsonText;
  created_at: EpochMs;
  retired_at: EpochMs | null;
}

export interface SidecarsTable {
  service: string;
  instance_id: string;
  host: string;
  applied_revision: number | null;
  rejected_revision: number | null;
  rejection_reason: string | null;
  uptime_ms: number | null;
  counters: JsonText | null;
  last_seen: EpochMs;
}

/** Per-service credentials of sidecars (bearer tokens); the token itself is never stored. */
export interface SidecarCredentialsTable {
  id: string;
  service: string;
  name: string;
  /** hex SHA-256 of the token */
  sha256: string;
  created_at: EpochMs;
  revoked_at: EpochMs | null;
  last_used_at: EpochMs | null;
}

/** Per service: the desired state (policy changes) against what was published, and the last publish failure. */
export interface BundlePublishStatusTable {
  service: string;
  /** +1 per committed policy change */
  desired_seq: number;
  /** time of the latest policy change */
  desired_at: EpochMs;
  /** the desired_seq the latest successful publish covered */
  published_seq: number;
  published_at: EpochMs | null;
  failure_at: EpochMs | null;
  failure_code: string | null;
  failure_message: string | null;
  /** JSON array of { path, message } */
  failure_issues: JsonText | null;
  /** consecutive failed attempts since the last success */
  failures: number;
  next_retry_at: EpochMs | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: EpochMs;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  before: JsonText | null;
  after: JsonText | null;
  outcome: 'allowed' | 'denied';
}

export interface AccessLogsTable {
  id: Generated<number>;
  at: EpochMs;
  service: string;
  request_id: string | null;
  principal: string | null;
  api_key_id: string | null;
  route_id: string | null;
  method: string;
  path: string;
  status: number;
  decision: string;
  reason: string | null;
  client: string | null;
  latency_ms: number | null;
}

/** Per period (60000 or 3600000 ms) × start × service × route ('' = none): counts and latency histogram h0…h61 (access-log-rollup.ts). */
export type AccessLogRollupsTable = {
  period: number;
  start: EpochMs;
  service: string;
  route: string;
  requests: number;
  rate_limited: number;
  denied: number;
  errors: number;
} & Record<`h${number}`, number>;

/** Non-allow records per period × start × service × route × decision × reason ('' = none). */
export interface AccessLogRollupReasonsTable {
  period: number;
  start: EpochMs;
  service: string;
  route: string;
  decision: string;
  reason: string;
  requests: number;
}

/** Every table of the store. */
export interface Database {
  services: ServicesTable;
  service_settings: ServiceSettingsTable;
  routes: ServiceResourceTable;
  upstreams: ServiceResourceTable;
  roles: ServiceResourceTable;
  rate_limits: ServiceResourceTable;
  jwt_issuers: ServiceResourceTable;
  principals: PrincipalsTable;
  api_keys: ApiKeysTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  personal_access_tokens: PersonalAccessTokensTable;
  bundle_revisions: BundleRevisionsTable;
  signing_keys: SigningKeysTable;
  sidecars: SidecarsTable;
  sidecar_credentials: SidecarCredentialsTable;
  bundle_publish_status: BundlePublishStatusTable;
  audit_events: AuditEventsTable;
  access_logs: AccessLogsTable;
  access_log_rollups: AccessLogRollupsTable;
  access_log_rollup_reasons: AccessLogRollupReasonsTable;
}
