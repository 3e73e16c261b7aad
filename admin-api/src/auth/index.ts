/**
 * Who may do what in the admin API: local admin users with scrypt passwords, console sessions
 * (HttpOnly SameSite=Strict cookie + CSRF token), personal access tokens for automation, the access
 * guard every endpoint goes through, and the first-start owner account.
 */
import type { Logger } from 'pino';
import { AdminError } from '../errors.js';
import type { AccessGuard, EndpointSpec } from '../http/endpoint.js';
import { appendAuditEvent, isStoreError, type Store } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';
import { countAdminUsers, insertAdminUser } from '../store/admin-accounts-repo.js';
import { storeFailureLog } from '../identity/failure-logs.js';
import { createSharedLoginThrottle, type FailureLog, type SharedLoginThrottle, type SharedThrottleOptions } from '../identity/shared-login-throttle.js';
import { createAccessGuard, type SidecarVerifier } from './access-guard.js';
import { adminUserEndpoints } from './admin-user-endpoints.js';
import { createDenialRecorder, type AuthDeps } from './auth-context.js';
import { MIN_PASSWORD_LENGTH, createDummyVerifier, generatePassword, hashPassword } from './password-hash.js';
import { OWNER_USERNAME, warnIgnoredOwnerPassword } from './owner-password.js';
import { sessionEndpoints } from './session-endpoints.js';
import { tokenEndpoints } from './token-endpoints.js';

export type { AdminRole, AdminPermission, Actor } from './admin-roles.js';
export type { SidecarVerifier } from './access-guard.js';
export { SESSION_COOKIE, CSRF_HEADER } from './auth-context.js';

export { resetOwnerPassword } from './owner-password.js';
/** Username of the owner account created on first start. */
export const BOOTSTRAP_USERNAME = OWNER_USERNAME;

export interface AdminAuth {
  /** the access check for mountEndpoints */
  guard: AccessGuard;
  /** session, personal access token and admin user endpoints */
  endpoints: EndpointSpec<never, never, never>[];
  /**
   * First start: creates the owner `admin` with `password`, or a generated one that is returned so the
   * CLI prints it once. No-op when any admin user exists. Throws ADMIN_CONFIG_INVALID for a short password.
   */
  bootstrapOwner(password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }>;
  /** the brute-force throttle the password login uses (the token service's password grant shares it) */
  throttle: SharedLoginThrottle;
  /** runs scrypt for an unknown username (one per process: building it costs a hash) */
  dummyVerify: (password: string) => Promise<false>;
}

export interface AdminAuthOptions {
  log: Logger;
  /** add `Secure` to the session cookie (true behind HTTPS) */
  secureCookies: boolean;
  /** absolute lifetime of a console session (default 12 h) */
  sessionTtlMs?: number;
  /** brute-force thresholds (defaults: 5 per username, 20 per client address, 15 min window; after 3 failures the next try waits 1 s, doubling to 60 s) */
  loginThrottle?: SharedThrottleOptions;
  /** where failures are kept, shared by replicas (default: the store's login_failures table; redisFailureLog with --redis) */
  failureLog?: FailureLog;
  /** clock, for tests */
  now?: () => number;
  /** the check of 'sidecar' endpoints (the sidecar module's); the guard stores its answer in `res.locals.sidecar`. Without it they answer 401. */
  verifySidecar?: SidecarVerifier;
}

/** Builds the auth module over an open store; options are validated here (fail fast). */
export async function createAuth(store: Store, o: AdminAuthOptions): Promise<AdminAuth> {
  const sessionTtlMs = o.sessionTtlMs ?? 12 * 3_600_000;
  if (!Number.isSafeInteger(sessionTtlMs) || sessionTtlMs < 60_000) throw new Error(`sessionTtlMs must be an integer of at least 60000 ms, got ${sessionTtlMs}`);
  const now = o.now ?? Date.now;
  const deps: AuthDeps = {
    store,
    log: o.log,
    now,
    secureCookies: o.secureCookies,
    sessionTtlMs,
    throttle: createSharedLoginThrottle(o.failureLog ?? storeFailureLog(store), o.loginThrottle),
    dummyVerify: await createDummyVerifier(),
    denials: createDenialRecorder(store, o.log, now),
  };
  return {
    throttle: deps.throttle,
    dummyVerify: deps.dummyVerify,
    guard: createAccessGuard(deps, o.verifySidecar),
    endpoints: [...sessionEndpoints(deps), ...tokenEndpoints(deps), ...adminUserEndpoints(deps)],
    async bootstrapOwner(password) {
      if (password !== undefined && password.length < MIN_PASSWORD_LENGTH) {
        throw new AdminError('ADMIN_CONFIG_INVALID', `AGENTCORE_ADMIN_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      if ((await countAdminUsers(store)) > 0) {
        if (password !== undefined) await warnIgnoredOwnerPassword(store, password, o.log);
        return { created: false };
      }
      const generated = password === undefined ? generatePassword() : undefined;
      const passwordHash = await hashPassword(password ?? generated ?? '');
      const t = now();
      try {
        await inTransaction(store, async (trx) => {
          if ((await countAdminUsers(trx)) > 0) throw new BootstrapRace();
          await insertAdminUser(trx, { username: BOOTSTRAP_USERNAME, passwordHash, role: 'owner' }, t);
          await appendAuditEvent(trx, { at: t, actor: 'system', action: 'admin-user.create', resourceType: 'admin-user', resourceId: BOOTSTRAP_USERNAME, after: { username: BOOTSTRAP_USERNAME, role: 'owner', bootstrap: true }, outcome: 'allowed' });
        });
      } catch (err) {
        // Another replica bootstrapped at the same moment.
        if (err instanceof BootstrapRace || isStoreError(err, 'ADMIN_STORE_CONFLICT')) return { created: false };
        throw err;
      }
      o.log.info({ username: BOOTSTRAP_USERNAME, generated: generated !== undefined }, 'created the first owner account');
      return generated === undefined ? { created: true } : { created: true, generatedPassword: generated };
    },
  };
}

class BootstrapRace extends Error {}
