/**
 * The access guard of every admin endpoint: resolves the caller from the session cookie or a
 * `Bearer agc_pat_…` token, checks CSRF on cookie-authenticated unsafe methods, then the endpoint's
 * access level against the caller's role. Every denial with a presented credential is audited.
 *
 *   public          → no check
 *   sidecar         → the sidecar verifier (given by the sidecar module at construction); 401 when it says no
 *   authenticated   → a valid session or token, else 401
 *   <permission>    → the above, then roleAllows(role, permission), else 403 {required, role}
 */
import type { Request } from 'express';
import { AdminError } from '../errors.js';
import type { AccessGuard } from '../http/endpoint.js';
import { findSession, findToken, touchSession, touchToken } from '../store/admin-accounts-repo.js';
import { roleAllows, type Actor } from './admin-roles.js';
import { CSRF_HEADER, SESSION_COOKIE, requestPath, setResolvedCredential, unauthenticated, type AuthDeps } from './auth-context.js';
import { PAT_PREFIX, digestsEqual, sha256Hex } from './credential-digest.js';

/** Checks a sidecar's credential; returns the service it may act for, or undefined to refuse. */
export type SidecarVerifier = (req: Request) => Promise<{ service: string } | undefined>;

/** Methods that change state and therefore need the CSRF token when a cookie authenticates them. */
const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** last_seen_at / last_used_at are written at most this often per credential. */
const TOUCH_INTERVAL_MS = 60_000;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;
const COOKIE_PREFIX = `${SESSION_COOKIE}=`;

type Presented = { kind: 'token'; token: string } | { kind: 'session'; sessionId: string } | { kind: 'malformed' } | undefined;

/** The credential a request presents: the Authorization header wins over the cookie. */
function presentedCredential(req: Request): Presented {
  const authz = req.headers.authorization;
  if (authz !== undefined) {
    const token = BEARER.exec(authz)?.[1];
    return token?.startsWith(PAT_PREFIX) ? { kind: 'token', token } : { kind: 'malformed' };
  }
  const cookieHeader = req.headers.cookie;
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const c = part.trim();
    if (!c.startsWith(COOKIE_PREFIX)) continue;
    const value = c.slice(COOKIE_PREFIX.length);
    return SESSION_ID.test(value) ? { kind: 'session', sessionId: value } : { kind: 'malformed' };
  }
  return undefined;
}

/** Builds the guard; without `verifySidecar`, 'sidecar' endpoints answer 401. */
export function createAccessGuard(d: AuthDeps, verifySidecar: SidecarVerifier | undefined): AccessGuard {
  return async (req, access, endpoint) => {
    if (access === 'public') return undefined;
    const action = `${req.method} ${endpoint.path}`;
    const path = requestPath(req);

    if (access === 'sidecar') {
      const verify = verifySidecar;
      const sidecar = verify ? await verify(req) : undefined;
      if (sidecar) {
        if (req.res) req.res.locals.sidecar = sidecar;
        return undefined;
      }
      const presented = req.headers.authorization !== undefined;
      if (presented) await d.denials({ actor: 'sidecar', action, path, reason: verify ? 'INVALID_SIDECAR_CREDENTIAL' : 'NO_SIDECAR_VERIFIER' });
      throw unauthenticated('a valid sidecar credential for this service is required', presented);
    }

    const presented = presentedCredential(req);
    if (presented === undefined) throw unauthenticated('authenticate with the session cookie (POST /api/v1/session) or Authorization: Bearer agc_pat_…', false);
    const now = d.now();
    let actor: Actor;
    let csrfHash: string | undefined;
    if (presented.kind === 'session') {
      const idHash = sha256Hex(presented.sessionId);
      const s = await findSession(d.store, idHash, now);
      if (!s) {
        await d.denials({ actor: 'anonymous', action, path, reason: 'INVALID_SESSION' });
        throw unauthenticated('the session is invalid or has expired; log in again', true);
      }
      actor = { username: s.username, role: s.role, via: 'session' };
      csrfHash = s.csrfHash;
      setResolvedCredential(req.res, { via: 'session', sessionId: presented.sessionId, sessionIdHash: idHash, expiresAt: s.expiresAt });
      if (now - s.lastSeenAt >= TOUCH_INTERVAL_MS) await touchSession(d.store, idHash, now);
    } else if (presented.kind === 'token') {
      const t = await findToken(d.store, sha256Hex(presented.token), now);
      if (!t) {
        await d.denials({ actor: 'anonymous', action, path, reason: 'INVALID_TOKEN' });
        throw unauthenticated('the token is invalid, revoked or expired', true);
      }
      actor = { username: t.username, role: t.role, via: 'token' };
      setResolvedCredential(req.res, { via: 'token', tokenId: t.id });
      if (t.lastUsedAt === null || now - t.lastUsedAt >= TOUCH_INTERVAL_MS) await touchToken(d.store, t.id, now);
    } else {
      await d.denials({ actor: 'anonymous', action, path, reason: 'MALFORMED_CREDENTIAL' });
      throw unauthenticated('unrecognised credential: use the session cookie or Authorization: Bearer agc_pat_…', true);
    }

    // Bearer requests carry no ambient credential, so only cookie-authenticated ones need the CSRF token.
    if (csrfHash !== undefined && UNSAFE_METHODS.has(req.method)) {
      const given = req.headers[CSRF_HEADER];
      if (typeof given !== 'string' || !digestsEqual(sha256Hex(given), csrfHash)) {
        await d.denials({ actor: actor.username, action, path, reason: 'CSRF', details: { role: actor.role } });
        throw new AdminError('ADMIN_CSRF_FAILED', `missing or wrong ${CSRF_HEADER} header: send the csrfToken of your session`, { reason: 'CSRF' });
      }
    }

    if (access !== 'authenticated' && !roleAllows(actor.role, access)) {
      await d.denials({ actor: actor.username, action, path, reason: 'PERMISSION', details: { required: access, role: actor.role } });
      throw new AdminError('ADMIN_PERMISSION_DENIED', `the ${actor.role} role does not have the ${access} permission`, { required: access, role: actor.role });
    }
    return actor;
  };
}
