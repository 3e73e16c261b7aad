/** The console's login: `POST/GET/DELETE /api/v1/session` (session cookie + CSRF token). */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { appendAuditEvent } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';
import { deleteSession, getAdminUser } from '../store/admin-accounts-repo.js';
import { ADMIN_ROLES } from './admin-roles.js';
import { clientAddress, requestPath, resolvedCredential, sessionCookie, type AuthDeps } from './auth-context.js';
import { createSession } from './create-session.js';
import { csrfTokenFor } from './credential-digest.js';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './password-hash.js';

const LoginBody = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(MAX_PASSWORD_LENGTH),
});

const SessionInfo = z
  .object({
    username: z.string(),
    role: z.enum(ADMIN_ROLES),
    via: z.enum(['session', 'token']).describe('how this request authenticated'),
    csrfToken: z.string().optional().describe('send as X-CSRF-Token on POST/PUT/PATCH/DELETE; absent for token requests'),
    expiresAt: z.iso.datetime().optional().describe('absent for token requests'),
  })
  .meta({ id: 'AdminSession' });

const LOGIN_FAILED = 'invalid username or password';

/** The session endpoints. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function sessionEndpoints(d: AuthDeps): EndpointSpec<never, never, never>[] {
  const login = endpoint<Record<string, never>, Record<string, never>, z.infer<typeof LoginBody>>({
    method: 'post',
    path: '/api/v1/session',
    operationId: 'createSession',
    summary: 'Log in',
    description:
      'Checks a local username and password and sets the HttpOnly, SameSite=Strict `agentcore_session` cookie. ' +
      'The answer carries the CSRF token to send as `X-CSRF-Token` on unsafe methods. ' +
      'Brute-force protection is shared by every replica (the store, or Redis with --redis): after 3 failures for a username or address the next try waits 1 s, doubling per further failure (at most 60 s); 5 failures for a username (or 20 from one address) within 15 minutes lock it. Locked or delayed logins answer 429 with Retry-After, whether or not the user exists.',
    tags: ['auth'],
    access: 'public',
    body: LoginBody,
    bodyExample: { username: 'admin', password: 'correct horse battery staple' },
    responses: {
      200: {
        description: 'Logged in; the session cookie is set',
        schema: SessionInfo,
        example: { username: 'admin', role: 'owner', via: 'session', csrfToken: 'kq4G0bXo0n2h8m7pJr5eV1sYt3uW6xZ9aB2cD4eF6gH', expiresAt: '2025-01-01T12:00:00.000Z' },
      },
      401: { description: 'Wrong username or password (one message for both)' },
      429: { description: 'Too many failed attempts; see Retry-After' },
    },
    async handler({ req, res, body }) {
      const now = d.now();
      const client = clientAddress(req);
      const action = `${req.method} /api/v1/session`;
      const path = requestPath(req);
      const lock = await d.throttle.check(body.username, client, now);
      if (lock) {
        await d.denials({ actor: 'anonymous', action, path, reason: 'LOGIN_LOCKED', details: { lockedBy: lock.by, client } });
        throw new AdminError('ADMIN_LOGIN_LOCKED', 'too many failed login attempts; try again later', { retryAfterSeconds: lock.retryAfterSeconds }, {
          headers: { 'retry-after': String(lock.retryAfterSeconds) },
        });
      }
      const user = await getAdminUser(d.store, body.username);
      const ok = user ? await verifyPassword(body.password, user.password_hash) : await d.dummyVerify(body.password);
      if (!user || !ok || user.disabled) {
        await d.throttle.recordFailure(body.username, client, now);
        const reason = !user ? 'UNKNOWN_USER' : !ok ? 'WRONG_PASSWORD' : 'USER_DISABLED';
        // Who was targeted is recorded only for existing accounts: an unknown "username" may be a mistyped password.
        await d.denials({ actor: 'anonymous', action, path, reason, details: { client, ...(user ? { username: user.username } : {}) } });
        throw new AdminError('ADMIN_LOGIN_FAILED', LOGIN_FAILED);
      }
      await d.throttle.recordSuccess(body.username);

      const { cookie, csrfToken, expiresAt } = await createSession(d.store, { username: user.username, now, ttlMs: d.sessionTtlMs, secureCookies: d.secureCookies, audit: { role: user.role, client } });
      res.append('set-cookie', cookie);
      return { body: { username: user.username, role: user.role, via: 'session', csrfToken, expiresAt: new Date(expiresAt).toISOString() } };
    },
  });

  const current = endpoint({
    method: 'get',
    path: '/api/v1/session',
    operationId: 'getSession',
    summary: 'Who am I',
    description: 'The authenticated admin; for a session also its CSRF token (the console calls this after a reload).',
    tags: ['auth'],
    access: 'authenticated',
    responses: {
      200: { description: 'The current admin', schema: SessionInfo, example: { username: 'admin', role: 'owner', via: 'token' } },
    },
    async handler({ res, actor }) {
      if (!actor) throw new Error('guard returned no actor for an authenticated endpoint');
      const c = resolvedCredential(res);
      const session = c?.via === 'session' ? { csrfToken: csrfTokenFor(c.sessionId), expiresAt: new Date(c.expiresAt).toISOString() } : {};
      return { body: { username: actor.username, role: actor.role, via: actor.via, ...session } };
    },
  });

  const logout = endpoint({
    method: 'delete',
    path: '/api/v1/session',
    operationId: 'deleteSession',
    summary: 'Log out',
    description: 'Ends the session of the cookie and clears the cookie. Needs X-CSRF-Token. Tokens are revoked with DELETE /api/v1/tokens/{id} instead.',
    tags: ['auth'],
    access: 'authenticated',
    responses: { 204: { description: 'Logged out; the cookie is cleared' } },
    async handler({ res, actor }) {
      const c = resolvedCredential(res);
      if (!actor || c?.via !== 'session') {
        throw new AdminError('ADMIN_NO_SESSION', 'this request authenticated with a token, not a session; revoke tokens with DELETE /api/v1/tokens/{id}');
      }
      const now = d.now();
      await inTransaction(d.store, async (trx) => {
        await deleteSession(trx, c.sessionIdHash);
        await appendAuditEvent(trx, { at: now, actor: actor.username, action: 'session.delete', resourceType: 'session', resourceId: actor.username, outcome: 'allowed' });
      });
      res.append('set-cookie', sessionCookie('', 0, d.secureCookies));
      return { status: 204 };
    },
  });

  return [login, current, logout] as EndpointSpec<never, never, never>[];
}
