/**
 * The password contract of the token service: one interface every password check implements (the admin API's local
 * users, LDAP/AD and OIDC providers), defined once in `identity/password-verifier.ts`.
 */
export type { PasswordCheck, PasswordRouter, PasswordVerifier, VerifiedUser } from '../identity/password-verifier.js';
