/**
 * The proxy's reason catalogue: every `Respond.reason` (and access-log `reason`) the sidecar produces, with the
 * public error code it answers with and whether it is the client's fault (`deny`) or ours / the upstream's
 * (`error`). The HTTP status comes from `PUBLIC_ERROR_STATUS` in `@agentcore/policies`, never from a call site.
 * `docs/errors.md` is generated from this table (`node scripts/write-error-docs.mjs`).
 *
 * Declarative table (exempt from the file-length rule).
 */
import { PUBLIC_ERROR_STATUS, type DenyReason, type PathRejection, type PublicErrorCode } from '@agentcore/policies';
import type { AuthFailureReason } from '../authenticate/principal.js';

/** How one reason is answered: an error (`code` set; status from the public table) or an allowed answer. */
export interface ReasonSpec {
  /** the public error code of the body; undefined for answers that are not errors (preflight, cache hit, granted) */
  readonly code: PublicErrorCode | undefined;
  /** `deny`: the client's request is refused; `error`: we or the upstream failed; `allow`: not a refusal */
  readonly decision: 'allow' | 'deny' | 'error';
  /** one-line contract: when this reason is given */
  readonly doc: string;
}

const path = (doc: string): ReasonSpec => ({ code: 'INVALID_REQUEST', decision: 'deny', doc: `request target refused: ${doc}` });

/** Every reason code of the sidecar (declarative table). */
export const PROXY_REASONS = {
  // allowed answers
  GRANTED: { code: undefined, decision: 'allow', doc: 'authenticated and authorised; forwarded' },
  PUBLIC_ROUTE: { code: undefined, decision: 'allow', doc: 'public route: forwarded without authentication' },
  CORS_PREFLIGHT: { code: undefined, decision: 'allow', doc: 'a CORS preflight the route allows, answered 204 by the proxy' },
  CACHE_HIT: { code: undefined, decision: 'allow', doc: 'answered from the response cache (200, or 304 on a matching If-None-Match)' },
  // accept
  AMBIGUOUS_LENGTH: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'both Content-Length and Transfer-Encoding were sent (RFC 9112 §6.1)' },
  TRANSFER_CODING_NOT_IMPLEMENTED: { code: 'NOT_IMPLEMENTED', decision: 'deny', doc: 'a Transfer-Encoding other than one final `chunked` (RFC 9112 §6.1)' },
  EXPECTATION_FAILED: { code: 'EXPECTATION_FAILED', decision: 'deny', doc: 'an `Expect` other than `100-continue` (RFC 9110 §10.1.1)' },
  CONNECT_NOT_ALLOWED: { code: 'METHOD_NOT_ALLOWED', decision: 'deny', doc: 'CONNECT: the sidecar is not a forward proxy; answered 405 and closed' },
  REPEATED_CREDENTIALS: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'Authorization or X-API-Key appears more than once' },
  HOST_MISSING: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'an HTTP/1.1 request without a Host header (RFC 9112 §3.2)' },
  HOST_REPEATED: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'more than one Host header (RFC 9112 §3.2)' },
  HOST_INVALID: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'Host is not `name[:port]` or `[IPv6][:port]`: userinfo, path, spaces, brackets, bad port (RFC 3986 §3.2.2)' },
  HEADER_NAME_UNDERSCORE: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'a header name holds `_` and the bundle says `requestHeaders.withUnderscores: reject`' },
  PATH_NON_ASCII: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'the request target holds raw non-ASCII bytes' },
  PATH_EMPTY: path('empty target'),
  PATH_NOT_ORIGIN_FORM: path('not origin-form (does not start with "/")'),
  PATH_ENCODED_SLASH: path('contains %2F'),
  PATH_ENCODED_BACKSLASH: path('contains %5C'),
  PATH_BACKSLASH: path('contains a raw backslash'),
  PATH_NUL: path('contains NUL, raw or %00'),
  PATH_CONTROL_CHARACTER: path('contains a control character'),
  PATH_INVALID_PERCENT_ENCODING: path('a "%" not followed by two hex digits'),
  PATH_FRAGMENT: path('contains "#"'),
  PATH_TOO_LONG: path('longer than --max-url-length'),
  PATH_DOT_SEGMENT_PARAMETER: path('a dot segment with ";" parameters'),
  // route
  NO_ROUTE: { code: 'NOT_FOUND', decision: 'deny', doc: 'no route matches the host and path' },
  METHOD_NOT_ALLOWED: { code: 'METHOD_NOT_ALLOWED', decision: 'deny', doc: 'a route matches the path but not the method; `Allow` lists the methods' },
  // cors
  CORS_REJECTED: { code: 'FORBIDDEN', decision: 'deny', doc: 'a CORS preflight the route does not allow (origin, method or header)' },
  // authenticate (AuthFailureReason)
  NO_CREDENTIALS: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the route needs credentials and none were presented' },
  MALFORMED_CREDENTIALS: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'a credential header is present but unparsable' },
  METHOD_NOT_ACCEPTED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the credential type is not accepted on this route' },
  INVALID_TOKEN: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'JWT signature, algorithm, structure or required claims invalid' },
  TOKEN_EXPIRED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'JWT `exp` in the past (beyond clock tolerance)' },
  TOKEN_NOT_YET_VALID: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'JWT `nbf`/`iat` in the future (beyond clock tolerance)' },
  INVALID_AUDIENCE: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'JWT `aud` does not name this service' },
  UNKNOWN_ISSUER: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'JWT `iss` is not a configured issuer' },
  UNKNOWN_API_KEY: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'no API key has this hash' },
  API_KEY_EXPIRED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the API key is past its expiry' },
  API_KEY_NOT_YET_VALID: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the API key is not valid yet' },
  API_KEY_DISABLED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the API key is disabled' },
  API_KEY_REVOKED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the API key was revoked (said only to a caller presenting that exact key; unknown keys stay UNKNOWN_API_KEY)' },
  TOKEN_INACTIVE: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'the introspection endpoint says the token is not active' },
  TOKEN_REVOKED: { code: 'UNAUTHENTICATED', decision: 'deny', doc: 'a valid JWT whose `jti` the bundle lists in `revokedTokens` (revoked at the control plane)' },
  JWKS_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: 'the issuer\'s JWKS cannot be fetched; `Retry-After: 5`' },
  INTROSPECTION_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: 'the introspection endpoint failed or timed out; `Retry-After: 5`' },
  // authorize (DenyReason of @agentcore/policies)
  MISSING_PERMISSION: { code: 'FORBIDDEN', decision: 'deny', doc: 'a route permission is granted by none of the principal\'s roles' },
  MISSING_SCOPE: { code: 'FORBIDDEN', decision: 'deny', doc: 'a route scope is not among the credential\'s scopes' },
  // rate-limit
  RATE_LIMITED: { code: 'RATE_LIMITED', decision: 'deny', doc: 'a rate limit of the route is reached; `Retry-After` says when to retry' },
  QUOTA_EXCEEDED: { code: 'QUOTA_EXCEEDED', decision: 'deny', doc: 'a quota of the route is used up; `Retry-After` says when it renews' },
  RATE_LIMIT_STORE_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: 'Redis is down and --redis-fallback is `closed`; `Retry-After` says when to retry' },
  // validate (and the forward stage counting a chunked body)
  BODY_TOO_LARGE: { code: 'PAYLOAD_TOO_LARGE', decision: 'deny', doc: 'the body (declared or counted) exceeds the route\'s maxBodyBytes' },
  UNSUPPORTED_MEDIA_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', decision: 'deny', doc: 'the body\'s Content-Type is not among the route\'s contentTypes' },
  // forward
  UNFORWARDABLE_HEADER: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'a header the upstream request cannot carry (name not a token, value with CR, LF, NUL or non-Latin-1); refused before admission, counted nowhere' },
  CONTENT_LENGTH_MISMATCH: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'the request body does not match its Content-Length' },
  CIRCUIT_OPEN: { code: 'UPSTREAM_UNAVAILABLE', decision: 'error', doc: 'the upstream\'s circuit breaker is open' },
  MAX_CONCURRENT: { code: 'UPSTREAM_UNAVAILABLE', decision: 'error', doc: 'the upstream already has maxConcurrent requests in flight' },
  MAX_PENDING: { code: 'UPSTREAM_UNAVAILABLE', decision: 'error', doc: 'the upstream\'s queue (maxPending) is full' },
  NO_HEALTHY_TARGET: { code: 'UPSTREAM_UNAVAILABLE', decision: 'error', doc: 'every target of the upstream is unhealthy or ejected' },
  UPSTREAM_CONNECT_TIMEOUT: { code: 'UPSTREAM_TIMEOUT', decision: 'error', doc: 'the upstream did not accept the connection in time' },
  UPSTREAM_TIMEOUT: { code: 'UPSTREAM_TIMEOUT', decision: 'error', doc: 'the upstream did not answer (or accept the WebSocket upgrade) in time' },
  UPSTREAM_MALFORMED_RESPONSE: { code: 'BAD_GATEWAY', decision: 'error', doc: 'the upstream sent an invalid HTTP response' },
  UPSTREAM_UNREACHABLE: { code: 'BAD_GATEWAY', decision: 'error', doc: 'the connection to the upstream was refused, reset or failed' },
  // websocket upgrade
  UPGRADE_NOT_SUPPORTED: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'an Upgrade other than websocket' },
  WS_NOT_ENABLED: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'the route does not accept WebSocket upgrades' },
  WS_BAD_HANDSHAKE: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'not a valid RFC 6455 §4.1 handshake' },
  WS_ORIGIN_REJECTED: { code: 'FORBIDDEN', decision: 'deny', doc: 'the Origin may not open WebSocket connections to this route' },
  WS_TOO_MANY_CONNECTIONS: { code: 'RATE_LIMITED', decision: 'deny', doc: 'the client holds the route\'s maxConnectionsPerClient already' },
  WS_TOO_MANY_CONNECTIONS_TOTAL: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: 'the process holds --ws-max-connections already; `Retry-After: 5`' },
  WS_SHUTTING_DOWN: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: 'the sidecar is draining and takes no new WebSocket connections' },
  WS_UPSTREAM_REFUSED: { code: 'BAD_GATEWAY', decision: 'error', doc: 'the upstream answered the WebSocket handshake with a non-101 status' },
  // events (routes with `events`: the sidecar serves the stream itself, docs/events.md)
  EVENTS_STREAM: { code: undefined, decision: 'allow', doc: 'an event stream (SSE or WebSocket) served by the sidecar on an event route; not forwarded' },
  EVENTS_METHOD: { code: 'METHOD_NOT_ALLOWED', decision: 'deny', doc: 'an event route takes GET (SSE) or a WebSocket upgrade; backends publish on the admin port' },
  EVENTS_BAD_SUBSCRIPTION: { code: 'INVALID_REQUEST', decision: 'deny', doc: 'an SSE stream without a topic, with too many, with a bad topic or a bad Last-Event-ID' },
  EVENTS_TOPIC_REFUSED: { code: 'FORBIDDEN', decision: 'deny', doc: 'an SSE stream none of whose topics the principal may read (details.refused names why)' },
  EVENTS_UNAVAILABLE: { code: 'SERVICE_UNAVAILABLE', decision: 'error', doc: "the event route's bus is not ready (starting, or its broker is down); `Retry-After: 1`" },
  // the pipeline itself
  INTERNAL_ERROR: { code: 'INTERNAL_ERROR', decision: 'error', doc: 'a bug: a stage threw; the request id is logged with the error' },
} as const satisfies Record<string, ReasonSpec>;

/** A reason code of the sidecar. */
export type ReasonCode = keyof typeof PROXY_REASONS;
/** A reason the proxy answers with an error body. */
export type DenyCode = { [K in ReasonCode]: (typeof PROXY_REASONS)[K]['code'] extends undefined ? never : K }[ReasonCode];

// Compile-time completeness: every reason produced by policies and the authenticators has an entry.
type Covers<T extends ReasonCode> = T;
export type _Covered = Covers<AuthFailureReason | DenyReason | `PATH_${PathRejection}`>;

/** The HTTP status of a denial reason (from the public code → status table). */
export function statusOf(reason: DenyCode): number {
  // DenyCode admits only entries with a code.
  return PUBLIC_ERROR_STATUS[PROXY_REASONS[reason].code as PublicErrorCode];
}
