/**
 * The one interface every authentication method implements (`jwt`, `api-key`, `introspection`: the ids of the
 * bundle's `AuthMethod`), and what an authenticator answers. The authenticate stage picks them by id from the
 * route's `auth.methods` (`authenticators.ts`); no authenticator knows about the others or the stage.
 */
import type { AuthMethod } from '@agentcore/policies';
import type { AuthenticatedPrincipal, AuthFailureReason } from './principal.js';

/** An authenticator's denial, before the stage adds status and challenge. */
export interface CredentialDenial {
  ok: false;
  reason: AuthFailureReason;
  /** guidance for the client; never echoes the credential */
  message: string;
}

/** What an authenticator answers; the success shape is also a valid `AuthOutcome` and is passed through as is. */
export type CredentialCheck = { ok: true; principal: AuthenticatedPrincipal } | CredentialDenial;

/** "Not mine": another authenticator of the same scheme may judge the credential; `denial` stands if none does. */
export interface Pass {
  pass: CredentialDenial;
}

/** One authentication method, built once per bundle. */
export interface Authenticator {
  /** the bundle's id of the method */
  readonly method: AuthMethod;
  /** the credential it reads: a bearer token (`Authorization: Bearer`) or an API key */
  readonly scheme: 'bearer' | 'api-key';
  /** judges the credential (a bearer token or an API key, per `scheme`); sync when the answer is cached or local */
  judge(credential: string, now: number, looksLikeJwt: boolean): CredentialCheck | Pass | Promise<CredentialCheck | Pass>;
  /** drops caches and aborts requests in flight */
  close(): void;
}
