/**
 * The admin API's error catalogue: every stable `ADMIN_*` code — the store's included — with the public code of the
 * spec's error body (its HTTP status comes from `@agentcore/policies`' PUBLIC_ERROR_STATUS) and a default message.
 * One table: AdminError and StoreError read it, the OpenAPI document's error section and `docs/errors.md`
 * (scripts/error-docs/admin.mjs) are generated from it. A new error is a new row here.
 */
import type { PublicErrorCode } from '@agentcore/policies';

/** One row of the catalogue. */
export interface AdminErrorEntry {
  /** the `error.code` clients see; decides the HTTP status */
  public: PublicErrorCode;
  /** the message when the thrower gives none; also the catalogue's description */
  message: string;
}

// Declarative table (exempt from the 80-line function rule): one row per stable code, grouped by public code.
/** Every stable error code of the admin API. */
export const ADMIN_ERRORS = {
  ADMIN_INPUT_INVALID: { public: 'INVALID_REQUEST', message: 'the request does not match the endpoint; details.fields lists each invalid field' },
  ADMIN_IF_MATCH_INVALID: { public: 'INVALID_REQUEST', message: 'If-Match must be the ETag of a read, like "v3"' },
  ADMIN_BODY_INVALID_JSON: { public: 'INVALID_REQUEST', message: 'the request body is not valid JSON' },
  ADMIN_NO_SESSION: { public: 'INVALID_REQUEST', message: 'this request authenticated with a token, not a session' },
  ADMIN_SECRET_KEY_REQUIRED: { public: 'INVALID_REQUEST', message: 'storing this secret needs a secret key: start the admin API with AGENTCORE_SECRET_KEY or AGENTCORE_SECRET_KEY_FILE' },
  ADMIN_OAUTH_PUBLIC_CLIENT: { public: 'INVALID_REQUEST', message: 'a public OAuth client has no secret to rotate' },
  ADMIN_POLICY_INVALID: { public: 'INVALID_REQUEST', message: 'a definition, or the bundle compiled from it, fails its @agentcore/policies schema; details.fields lists why' },
  ADMIN_UNAUTHENTICATED: { public: 'UNAUTHENTICATED', message: 'log in or send a personal access token' },
  ADMIN_AUTH_REQUIRED: { public: 'UNAUTHENTICATED', message: 'no session cookie or bearer token was sent' },
  ADMIN_AUTH_INVALID: { public: 'UNAUTHENTICATED', message: 'the session or token is unknown, expired or revoked' },
  ADMIN_LOGIN_FAILED: { public: 'UNAUTHENTICATED', message: 'wrong username or password' },
  ADMIN_SSO_REFUSED: { public: 'UNAUTHENTICATED', message: 'the single sign-on answer failed a check (state, replay, issuer, audience, nonce or signature); no session was created' },
  ADMIN_CSRF_FAILED: { public: 'FORBIDDEN', message: 'a cookie-authenticated change must send the csrfToken of its session' },
  ADMIN_PERMISSION_DENIED: { public: 'FORBIDDEN', message: "the caller's role does not have the permission this endpoint needs" },
  ADMIN_FORBIDDEN: { public: 'FORBIDDEN', message: 'not allowed (test guards)' },
  ADMIN_TOKEN_NEEDS_SESSION: { public: 'FORBIDDEN', message: 'personal access tokens are created from a console session, not with another token' },
  ADMIN_SIDECAR_WRONG_SERVICE: { public: 'FORBIDDEN', message: 'the sidecar credential is for another service' },
  ADMIN_ACCOUNT_DISABLED: { public: 'FORBIDDEN', message: 'the account is disabled in its identity provider (told only after the right password)' },
  ADMIN_SSO_ACCOUNT_DISABLED: { public: 'FORBIDDEN', message: 'this single sign-on account was disabled by an administrator' },
  ADMIN_SSO_NO_ROLE: { public: 'FORBIDDEN', message: "none of the signed-in user's groups is mapped to a console role; details name the user and groups" },
  ADMIN_NOT_FOUND: { public: 'NOT_FOUND', message: 'the resource does not exist' },
  ADMIN_NO_ENDPOINT: { public: 'NOT_FOUND', message: 'no endpoint has this method and path; see /api/v1/openapi.json' },
  ADMIN_NO_REVISION: { public: 'NOT_FOUND', message: 'the service has no published bundle yet' },
  ADMIN_STORE_NOT_FOUND: { public: 'NOT_FOUND', message: 'the resource, or the service it belongs to, does not exist' },
  ADMIN_SSO_UNKNOWN_PROVIDER: { public: 'NOT_FOUND', message: 'no enabled single sign-on (OIDC) provider has this id' },
  ADMIN_LAST_OWNER: { public: 'CONFLICT', message: 'the change would leave no enabled owner' },
  ADMIN_USER_EXISTS: { public: 'CONFLICT', message: 'an admin user with this username already exists' },
  ADMIN_STILL_REFERENCED: { public: 'CONFLICT', message: 'the object is still referenced; details.referencedBy names what refers to it (?cascade=true removes the references where documented)' },
  ADMIN_WOULD_NOT_COMPILE: { public: 'CONFLICT', message: 'the change would make the service policy not compile; nothing was stored; details.fields lists why' },
  ADMIN_STORE_CONFLICT: { public: 'CONFLICT', message: 'the resource already exists (a unique key is taken)' },
  ADMIN_STORE_PRECONDITION_FAILED: { public: 'PRECONDITION_FAILED', message: 'If-Match names a version that is no longer the stored one (a lost update was prevented)' },
  ADMIN_BODY_TOO_LARGE: { public: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' },
  ADMIN_MEDIA_TYPE: { public: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' },
  ADMIN_BODY_ENCODING: { public: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported body encoding' },
  ADMIN_REFERENCE_UNKNOWN: { public: 'UNPROCESSABLE', message: 'the change refers to something that does not exist; nothing was stored; details.fields lists what' },
  ADMIN_LOGIN_LOCKED: { public: 'RATE_LIMITED', message: 'too many failed login attempts; try again later (Retry-After)' },
  ADMIN_CONFIG_INVALID: { public: 'INTERNAL_ERROR', message: 'the configuration is invalid (start-up)' },
  ADMIN_STORE_MIGRATION_FAILED: { public: 'INTERNAL_ERROR', message: 'a schema migration failed at start-up' },
  ADMIN_INTERNAL: { public: 'INTERNAL_ERROR', message: 'the admin API failed to process the request; report the request id' },
  ADMIN_STORE_UNAVAILABLE: { public: 'SERVICE_UNAVAILABLE', message: 'the database cannot be reached, or stayed locked past busy_timeout; retry later' },
  ADMIN_IDENTITY_PROVIDER_UNAVAILABLE: { public: 'SERVICE_UNAVAILABLE', message: 'the directory or identity provider did not answer in time, or refused the service account; nobody is signed in; retry later' },
  ADMIN_THROTTLE_UNAVAILABLE: { public: 'SERVICE_UNAVAILABLE', message: 'the shared brute-force counters (Redis) cannot be reached, so no login is checked; retry later' },
  ADMIN_SECRET_KEY_MISSING: { public: 'SERVICE_UNAVAILABLE', message: 'a stored secret is encrypted and no AGENTCORE_SECRET_KEY is configured' },
  ADMIN_SSO_PROVIDER_UNAVAILABLE: { public: 'SERVICE_UNAVAILABLE', message: 'the OIDC provider cannot be reached (discovery or token request failed); retry later' },
  ADMIN_SSO_PROVIDER_INVALID: { public: 'SERVICE_UNAVAILABLE', message: "the OIDC provider's metadata lacks what sign-in needs (e.g. an authorization endpoint)" },
  ADMIN_SSO_BUSY: { public: 'SERVICE_UNAVAILABLE', message: 'too many single sign-ons are in progress; retry later (Retry-After)' },
} as const satisfies Record<`ADMIN_${string}`, AdminErrorEntry>;

/** A stable error code of the admin API. */
export type AdminErrorCode = keyof typeof ADMIN_ERRORS;

/** The public code of a stable code. */
export function publicCodeOf(code: AdminErrorCode): PublicErrorCode {
  return ADMIN_ERRORS[code].public;
}
