/**
 * The contract between identity providers (LDAP, local users) and whoever checks a password (the
 * token service's password grant, the console's login). Structurally identical to the OAuth side's copy.
 */

/** A user whose password a provider accepted, with groups and the roles they map to. */
export interface VerifiedUser { subject: string; username: string; displayName?: string; email?: string; groups: string[]; roles: string[]; adminRoles: string[]; provider: string }

/** The outcome of one password check; failures never say whether the user exists. */
export type PasswordCheck = { ok: true; user: VerifiedUser } | { ok: false; reason: 'INVALID_CREDENTIALS' | 'ACCOUNT_DISABLED' | 'PROVIDER_UNAVAILABLE'; message: string };

/** Something that can check a username and password. */
export interface PasswordVerifier { readonly id: string; verifyPassword(username: string, password: string, signal?: AbortSignal): Promise<PasswordCheck> }

/** The one answer for a wrong password and an unknown user. */
export const invalidCredentials = (): PasswordCheck => ({ ok: false, reason: 'INVALID_CREDENTIALS', message: 'invalid username or password' });

/**
 * Picks the verifier for a username (and the name to give it): `alice@corp.example` → the directory of that domain,
 * else the default provider; undefined = no provider claims the name (the local users are then asked).
 */
export type PasswordRouter = (username: string, defaultProviderId?: string) => Promise<{ verifier: PasswordVerifier; username: string } | undefined>;
