/**
 * The one interface every password check implements — the admin API's local users here, LDAP/AD and
 * OIDC providers in `identity/` — so the password grant and the sign-in page do not care which one answers.
 */

/** A user whose password was verified. */
export interface VerifiedUser {
  subject: string;
  username: string;
  displayName?: string;
  email?: string;
  groups: string[];
  /** bundle role names (what the sidecar's RBAC knows) */
  roles: string[];
  /** admin API roles (owner, security-admin, …) */
  adminRoles: string[];
  /** id of the verifier that answered */
  provider: string;
}

/** The answer of a password check; failures are values, never exceptions. */
export type PasswordCheck = { ok: true; user: VerifiedUser } | { ok: false; reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' | 'PROVIDER_UNAVAILABLE'; message: string };

/** Verifies a username and password against one identity source. */
export interface PasswordVerifier {
  readonly id: string;
  verifyPassword(username: string, password: string, signal?: AbortSignal): Promise<PasswordCheck>;
}

/**
 * Picks the verifier for a username (and the name to give it): `alice@corp.example` → the directory of that domain,
 * else the default provider. Fits the identity providers' `registry.route` (#13) as is; undefined = no provider
 * claims the name (the local users are then asked).
 */
export type PasswordRouter = (username: string, defaultProviderId?: string) => Promise<{ verifier: PasswordVerifier; username: string } | undefined>;
