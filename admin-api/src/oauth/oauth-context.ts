/** What every part of the authorization server shares: store, clock, issuer, keys, lifetimes, password verifiers. */
import type { SharedLoginThrottle } from '../identity/shared-login-throttle.js';
import type { Store } from '../store/index.js';
import type { PasswordRouter, PasswordVerifier } from './password-verifier.js';
import type { SigningKeys } from './signing-keys.js';

/** Token lifetimes (seconds); per-client values override access and refresh. */
export interface OAuthLifetimes {
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
  /** authorization codes: 60 s (RFC 9700 §4.2.1 asks for short-lived codes) */
  codeSeconds: number;
  /** tokens from an API key exchange */
  exchangedTokenSeconds: number;
  idTokenSeconds: number;
}

/** Longest access-token lifetime a client may set: also how long a retired signing key stays published. */
export const MAX_ACCESS_TOKEN_SECONDS = 3600;

export const DEFAULT_LIFETIMES: OAuthLifetimes = { accessTokenSeconds: 600, refreshTokenSeconds: 86_400, codeSeconds: 60, exchangedTokenSeconds: 300, idTokenSeconds: 600 };

export interface OAuthContext {
  store: Store;
  /** epoch ms */
  now(): number;
  /** `iss` of our tokens */
  issuer(): string;
  keys: SigningKeys;
  lifetimes: OAuthLifetimes;
  /** asked in order; the first that knows the user answers (local users first) */
  verifiers: readonly PasswordVerifier[];
  /** when set, asked first for the verifier of a username (the identity providers' registry); `verifiers` after it */
  route?: PasswordRouter;
  /** the provider id `route` falls back to for names without a known `@domain` */
  defaultProvider?: string;
  /** failed password checks per username and client address: the console login's shared throttle (every replica) */
  throttle: SharedLoginThrottle;
  /** bundles of these services must be republished (a token for them was revoked) */
  onRevoked(services: readonly string[]): void;
}
