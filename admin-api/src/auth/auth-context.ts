/**
 * What the guard and the auth endpoints share: their dependencies, the credential the guard resolved
 * (kept in `res.locals`), the denial recorder (audit + log, in one place) and the auth errors.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { AdminError } from '../errors.js';
import { appendAuditEvent, type Store } from '../store/index.js';
import type { SharedLoginThrottle } from '../identity/shared-login-throttle.js';

/** Name of the console session cookie (also in the OpenAPI security schemes). */
export const SESSION_COOKIE = 'agentcore_session';
/** Header carrying the session's CSRF token on unsafe methods. */
export const CSRF_HEADER = 'x-csrf-token';
export const WWW_AUTHENTICATE = 'Bearer realm="agentcore-admin"';

export interface AuthDeps {
  store: Store;
  log: Logger;
  now: () => number;
  secureCookies: boolean;
  sessionTtlMs: number;
  /** brute-force protection shared by replicas (identity/shared-login-throttle.ts) */
  throttle: SharedLoginThrottle;
  /** runs scrypt for an unknown username, so timing does not reveal which exist */
  dummyVerify: (password: string) => Promise<false>;
  denials: DenialRecorder;
}

/** The credential behind the current request, as the guard resolved it. */
export type ResolvedCredential = { via: 'session'; sessionId: string; sessionIdHash: string; expiresAt: number } | { via: 'token'; tokenId: string };

const LOCALS_KEY = 'adminCredential';

export function setResolvedCredential(res: Response | undefined, c: ResolvedCredential): void {
  if (res) res.locals[LOCALS_KEY] = c;
}

/** The credential the guard resolved for this request; undefined on public endpoints. */
export function resolvedCredential(res: Response): ResolvedCredential | undefined {
  return res.locals[LOCALS_KEY] as ResolvedCredential | undefined;
}

/** The client address used for login throttling (Express `req.ip`; honours the app's `trust proxy`). */
export const clientAddress = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** The request path without its query, for audit rows. */
export const requestPath = (req: Request): string => req.originalUrl.split('?')[0] ?? req.path;

/** One denied attempt. `reason` is a stable code; `details` must not contain secrets. */
export interface Denial {
  actor: string;
  /** `${METHOD} ${path template}` */
  action: string;
  path: string;
  reason: string;
  details?: Record<string, unknown>;
}

/** Records a denial in the audit trail (outcome 'denied', resource type 'endpoint') and the log. Never throws. */
export type DenialRecorder = (d: Denial) => Promise<void>;

export function createDenialRecorder(store: Store, log: Logger, now: () => number): DenialRecorder {
  return async (d) => {
    log.info({ actor: d.actor, action: d.action, path: d.path, reason: d.reason, ...d.details }, 'admin API access denied');
    try {
      await appendAuditEvent(store, { at: now(), actor: d.actor, action: d.action, resourceType: 'endpoint', resourceId: d.path, after: { reason: d.reason, ...d.details }, outcome: 'denied' });
    } catch (err) {
      log.error({ err, action: d.action }, 'could not record a denied attempt in the audit trail');
    }
  };
}

/** 401: no credential (no `error` attribute, RFC 6750 §3.1) or an invalid one (`error="invalid_token"`). */
export function unauthenticated(message: string, invalidToken: boolean): AdminError {
  return new AdminError(invalidToken ? 'ADMIN_AUTH_INVALID' : 'ADMIN_AUTH_REQUIRED', message, {}, {
    headers: { 'www-authenticate': invalidToken ? `${WWW_AUTHENTICATE}, error="invalid_token"` : WWW_AUTHENTICATE },
  });
}

/** The `Set-Cookie` value of a session cookie; `maxAgeSeconds` 0 clears it. */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Strict', 'Path=/', `Max-Age=${maxAgeSeconds}`, ...(secure ? ['Secure'] : [])].join('; ');
}
