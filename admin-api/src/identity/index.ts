/**
 * Identity for the admin API: identity providers (LDAP/AD, OIDC, local), console SSO, the provider
 * registry for the token service's password grant, brute-force protection shared by replicas, and the
 * secret key ring. `createIdentity` is the one call the server makes.
 */
import { createDummyVerifier } from '../auth/password-hash.js';
import type { EndpointSpec } from '../http/endpoint.js';
import type { KeyRing } from '../secrets/envelope.js';
import { loadKeyRing } from '../secrets/key-ring.js';
import { assertSecretsReadable } from '../secrets/stored-secrets.js';
import type { Store } from '../store/index.js';
import { identityProviderEndpoints } from './identity-provider-endpoints.js';
import { createProviderRegistry, type ProviderRegistry } from './provider-registry.js';
import { ssoEndpoints } from './sso-endpoints.js';

export type { PasswordCheck, PasswordVerifier, VerifiedUser } from './password-verifier.js';
export type { ProviderRegistry } from './provider-registry.js';
export { createSharedLoginThrottle, type SharedLoginThrottle, type FailureLog } from './shared-login-throttle.js';
export { openFailureLog, redisFailureLog, storeFailureLog } from './failure-logs.js';
export { guardedPasswordCheck } from './guarded-login.js';

export interface IdentityOptions {
  store: Store;
  /** reads AGENTCORE_SECRET_KEY / AGENTCORE_SECRET_KEY_FILE / AGENTCORE_SECRET_KEYS_PREVIOUS */
  env: Record<string, string | undefined>;
  /** the external base URL (SSO redirect URIs are built from it) */
  publicUrl: () => string;
  secureCookies: boolean;
  /** the console session lifetime (the auth module's; default 12 h) */
  sessionTtlMs?: number;
  /** the auth module's verifier for unknown usernames (else one is built: a scrypt hash) */
  dummyVerify?: (password: string) => Promise<false>;
  /** the key ring the server opened (secrets/open-secrets.ts); when absent it is loaded from `env` */
  keyRing?: KeyRing;
}

export interface Identity {
  endpoints: EndpointSpec<never, never, never>[];
  keyRing: KeyRing | undefined;
  registry: ProviderRegistry;
  close(): Promise<void>;
}

/** Loads the key ring, refuses to start when stored secrets cannot be opened, and builds the endpoints. */
export async function createIdentity(o: IdentityOptions): Promise<Identity> {
  const keyRing = o.keyRing ?? loadKeyRing(o.env);
  if (!o.keyRing) await assertSecretsReadable(o.store, keyRing);
  const registry = createProviderRegistry({ store: o.store, keyRing, dummyVerify: o.dummyVerify ?? (await createDummyVerifier()) });
  const endpoints = [
    ...identityProviderEndpoints({ store: o.store, keyRing }),
    ...ssoEndpoints({ store: o.store, keyRing, publicUrl: o.publicUrl, secureCookies: o.secureCookies, sessionTtlMs: o.sessionTtlMs ?? 12 * 3_600_000 }),
  ];
  return { endpoints, keyRing, registry, close: () => registry.close() };
}
