/**
 * The impact preview's core: replays access-log records against two compiled policies (the current one and a
 * changed one) with the simulator's evaluation (the sidecar's `@agentcore/policies` code) and lists the records
 * whose access decision flips. Records hold no secrets, so the caller's identity is rebuilt from the record:
 * an API key id → that key's principal, roles and scopes in each bundle; a principal without a key → the roles
 * of its principal record. Records that cannot be replayed faithfully are reported with why, never guessed.
 * Pure: no I/O, no clock.
 */
import type { CompiledPolicy } from '@agentcore/policies';
import { simulateRequest, type SimCredential } from '../simulator/simulate-request';

/** The fields of an access-log record (as the admin API lists them) the replay reads. */
export interface ReplayRecord {
  id: number;
  /** ISO 8601 */
  at: string;
  method: string;
  /** the normalised path the sidecar logged (the query string is not logged) */
  path: string;
  principal: string | null;
  apiKeyId: string | null;
  routeId: string | null;
  status: number;
  decision: string;
  reason: string | null;
}

/** One policy's access decision for a replayed record. */
export interface ReplayOutcome {
  allowed: boolean;
  /** the status the sidecar answers with, or "forward" */
  status: number | 'forward';
  reason: string;
}

export type FlipKind = 'allowed→denied' | 'denied→allowed' | 'changed';

/** A record whose decision differs between the two policies. */
export interface Flip {
  record: ReplayRecord;
  kind: FlipKind;
  before: ReplayOutcome;
  after: ReplayOutcome;
  /** identity rebuilt from the principal record (token claims are not logged) */
  approximate: boolean;
}

/** A record left out, with a sentence saying why. */
export interface Unreplayable {
  record: ReplayRecord;
  why: string;
}

export interface ImpactReport {
  total: number;
  replayed: number;
  flips: Flip[];
  unreplayable: Unreplayable[];
  /** replayed records whose identity came from the principal record, not the (unlogged) token */
  approximate: number;
  /** replayed records the current policy decides differently from the logged answer (logged under another revision) */
  drift: number;
}

/** Roles of principals by id (from the principals API), for callers that used a token rather than an API key. */
export type PrincipalRoles = ReadonlyMap<string, readonly string[]>;

const WHY = {
  headers: 'refused for a header or protocol reason; headers are not logged',
  cors: 'a CORS preflight; the Origin and request headers are not logged',
  rateLimit: 'the rate-limit or quota outcome depends on counters the log does not hold',
  unavailable: 'a dependency (JWKS, introspection, rate-limit store) was unavailable; not a policy decision',
  badCredential: 'the credential presented was refused and is not logged',
  jwtCaller: 'token caller (no API key) with no principal record; the token\'s roles and scopes are not logged',
  scopes: 'the route needs scopes and the token\'s scopes are not logged',
  noCredential: 'the route would now need credentials; whether the request carried any was not logged',
  topics: 'an event subscription refused by topic; the topics asked for are not logged',
  unknown: 'reason not known to the replay',
} as const;

/** Logged reasons that say nothing replayable about the access decision. */
const NOT_REPLAYABLE: Record<string, string> = {
  ...Object.fromEntries(
    ['AMBIGUOUS_LENGTH', 'TRANSFER_CODING_NOT_IMPLEMENTED', 'EXPECTATION_FAILED', 'CONNECT_NOT_ALLOWED', 'REPEATED_CREDENTIALS', 'HOST_MISSING', 'HOST_REPEATED', 'HOST_INVALID', 'HEADER_NAME_UNDERSCORE', 'PATH_NON_ASCII', 'CLIENT_ERROR', 'MAX_CONNECTIONS', 'MAX_CONNECTIONS_PER_CLIENT'].map((r) => [r, WHY.headers]),
  ),
  CORS_PREFLIGHT: WHY.cors,
  EVENTS_TOPIC_REFUSED: WHY.topics,
  CORS_REJECTED: WHY.cors,
  ...Object.fromEntries(['RATE_LIMITED', 'QUOTA_EXCEEDED', 'WS_TOO_MANY_CONNECTIONS'].map((r) => [r, WHY.rateLimit])),
  ...Object.fromEntries(['JWKS_UNAVAILABLE', 'INTROSPECTION_UNAVAILABLE', 'RATE_LIMIT_STORE_UNAVAILABLE', 'INTERNAL_ERROR'].map((r) => [r, WHY.unavailable])),
};

/** Authentication failures: the record names no usable identity unless it carries an API key id. */
const AUTH_FAILURES = new Set([
  'MALFORMED_CREDENTIALS', 'METHOD_NOT_ACCEPTED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'TOKEN_NOT_YET_VALID', 'INVALID_AUDIENCE', 'UNKNOWN_ISSUER', 'UNKNOWN_API_KEY',
  'API_KEY_EXPIRED', 'API_KEY_NOT_YET_VALID', 'API_KEY_DISABLED', 'API_KEY_REVOKED', 'TOKEN_INACTIVE', 'TOKEN_REVOKED',
]);

/** Reasons decided before or at authorisation: the replay reproduces exactly these. */
const ACCESS_REASONS = new Set(['GRANTED', 'PUBLIC_ROUTE', 'NO_ROUTE', 'METHOD_NOT_ALLOWED', 'NO_CREDENTIALS', 'MISSING_PERMISSION', 'MISSING_SCOPE', ...AUTH_FAILURES]);

/** Reasons given after authorisation granted access (events, validate, cache, forward): the access part replays. */
const POST_ACCESS = new Set([
  'EVENTS_STREAM', 'EVENTS_METHOD', 'EVENTS_BAD_SUBSCRIPTION', 'EVENTS_UNAVAILABLE', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'CACHE_HIT', 'UNFORWARDABLE_HEADER',
  'CONTENT_LENGTH_MISMATCH', 'CIRCUIT_OPEN', 'MAX_CONCURRENT', 'MAX_PENDING', 'NO_HEALTHY_TARGET', 'UPSTREAM_CONNECT_TIMEOUT', 'UPSTREAM_TIMEOUT',
  'UPSTREAM_MALFORMED_RESPONSE', 'UPSTREAM_UNREACHABLE', 'UPGRADE_NOT_SUPPORTED', 'WS_NOT_ENABLED', 'WS_BAD_HANDSHAKE', 'WS_ORIGIN_REJECTED',
  'WS_TOO_MANY_CONNECTIONS_TOTAL', 'WS_SHUTTING_DOWN', 'WS_UPSTREAM_REFUSED',
]);

/** Why a logged reason cannot be replayed, or undefined when it can. */
function unreplayableReason(reason: string): string | undefined {
  if (ACCESS_REASONS.has(reason) || POST_ACCESS.has(reason) || (reason.startsWith('PATH_') && reason !== 'PATH_NON_ASCII')) return undefined;
  return NOT_REPLAYABLE[reason] ?? WHY.unknown;
}

/** Per-policy API keys by id (built once per replay, not per record). */
type KeyIndex = ReadonlyMap<string, string>;
const keyIndex = (p: CompiledPolicy): KeyIndex => new Map(p.bundle.authentication.apiKeys.map((k) => [k.id, k.sha256]));

/** A sha256 no key has: a key id missing from a bundle is an unknown key there. */
const NO_SUCH_KEY = '-';

function outcomeOf(p: CompiledPolicy, r: ReplayRecord, credential: SimCredential, now: number): ReplayOutcome & { scoped: boolean } {
  const s = simulateRequest(p, { method: r.method, target: r.path, credential, clientAddress: '0.0.0.0' }, now);
  const route = s.routeId === undefined ? undefined : p.bundle.routes.find((x) => x.id === s.routeId);
  return { allowed: s.status === 'forward', status: s.status, reason: s.reason, scoped: (route?.scopes.length ?? 0) > 0 };
}

type Identity = { credential: (keys: KeyIndex) => SimCredential; approximate: boolean } | { why: string };

function identityOf(r: ReplayRecord, reason: string, principals: PrincipalRoles): Identity {
  const keyId = r.apiKeyId;
  if (keyId) return { credential: (keys) => ({ kind: 'api-key', sha256: keys.get(keyId) ?? NO_SUCH_KEY }), approximate: false };
  if (r.principal) {
    const roles = principals.get(r.principal);
    if (!roles) return { why: WHY.jwtCaller };
    const credential: SimCredential = { kind: 'principal', id: r.principal, roles: [...roles], scopes: [] };
    return { credential: () => credential, approximate: true };
  }
  if (AUTH_FAILURES.has(reason)) return { why: WHY.badCredential };
  return { credential: () => ({ kind: 'none' }), approximate: false };
}

const same = (a: ReplayOutcome, b: ReplayOutcome) => a.allowed === b.allowed && a.status === b.status && a.reason === b.reason;
const kindOf = (a: ReplayOutcome, b: ReplayOutcome): FlipKind => (a.allowed && !b.allowed ? 'allowed→denied' : !a.allowed && b.allowed ? 'denied→allowed' : 'changed');
const plain = ({ allowed, status, reason }: ReplayOutcome): ReplayOutcome => ({ allowed, status, reason });

/** Replays `records` against `current` and `changed`; `principals` gives the roles of callers without an API key. */
export function replayImpact(records: readonly ReplayRecord[], current: CompiledPolicy, changed: CompiledPolicy, principals: PrincipalRoles): ImpactReport {
  const keys = { current: keyIndex(current), changed: keyIndex(changed) };
  const report: ImpactReport = { total: records.length, replayed: 0, flips: [], unreplayable: [], approximate: 0, drift: 0 };
  for (const r of records) {
    const reason = r.reason ?? '';
    const skip = unreplayableReason(reason);
    if (skip) {
      report.unreplayable.push({ record: r, why: skip });
      continue;
    }
    const id = identityOf(r, reason, principals);
    if ('why' in id) {
      report.unreplayable.push({ record: r, why: id.why });
      continue;
    }
    const now = Date.parse(r.at);
    const before = outcomeOf(current, r, id.credential(keys.current), now);
    const after = outcomeOf(changed, r, id.credential(keys.changed), now);
    const anonymous = !r.apiKeyId && !r.principal;
    const newlyNeedsCredentials = anonymous && reason !== 'NO_CREDENTIALS' && (before.reason === 'NO_CREDENTIALS' || after.reason === 'NO_CREDENTIALS');
    if (newlyNeedsCredentials) {
      report.unreplayable.push({ record: r, why: WHY.noCredential });
      continue;
    }
    if (id.approximate && (before.scoped || after.scoped)) {
      report.unreplayable.push({ record: r, why: WHY.scopes });
      continue;
    }
    report.replayed++;
    if (id.approximate) report.approximate++;
    if (ACCESS_REASONS.has(reason) || reason.startsWith('PATH_') ? reason !== before.reason : !before.allowed) report.drift++;
    if (!same(before, after)) report.flips.push({ record: r, kind: kindOf(before, after), before: plain(before), after: plain(after), approximate: id.approximate });
  }
  return report;
}
