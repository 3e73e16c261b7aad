/**
 * The one way a console session starts — the password login (`session-endpoints.ts`) and single sign-on
 * (`identity/sso-session.ts`) both call it: a random session id (only its SHA-256 is stored), its CSRF token,
 * the session row and the `session.create` audit event in one transaction, and the Set-Cookie value.
 */
import { appendAuditEvent, type Store } from '../store/index.js';
import { inTransaction, type Queryable } from '../store/queryable.js';
import { deleteExpiredSessions, insertSession } from '../store/admin-accounts-repo.js';
import { sessionCookie } from './auth-context.js';
import { csrfTokenFor, newSessionId, sha256Hex } from './credential-digest.js';

export interface NewSessionOptions {
  username: string;
  now: number;
  ttlMs: number;
  secureCookies: boolean;
  /** what the audit event's `after` records besides `expiresAt` (role, client, how) */
  audit: Record<string, unknown>;
  /** runs first in the same transaction (SSO creates or updates its account here); a throw aborts the session */
  prepare?: (trx: Queryable) => Promise<void>;
}

/** A started session: the cookie to set and what the login answer tells the console. */
export interface NewSession {
  cookie: string;
  csrfToken: string;
  expiresAt: number;
}

/** Stores a new session for `username` (expired ones are swept on the way) and audits it. */
export async function createSession(store: Store, o: NewSessionOptions): Promise<NewSession> {
  const sessionId = newSessionId();
  const csrfToken = csrfTokenFor(sessionId);
  const expiresAt = o.now + o.ttlMs;
  await inTransaction(store, async (trx) => {
    await o.prepare?.(trx);
    await deleteExpiredSessions(trx, o.now);
    await insertSession(trx, { idHash: sha256Hex(sessionId), username: o.username, csrfHash: sha256Hex(csrfToken), expiresAt }, o.now);
    await appendAuditEvent(trx, {
      at: o.now,
      actor: o.username,
      action: 'session.create',
      resourceType: 'session',
      resourceId: o.username,
      after: { ...o.audit, expiresAt: new Date(expiresAt).toISOString() },
      outcome: 'allowed',
    });
  });
  return { cookie: sessionCookie(sessionId, Math.floor(o.ttlMs / 1000), o.secureCookies), csrfToken, expiresAt };
}
