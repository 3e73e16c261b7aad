/**
 * The password-checking providers for the token service's password grant and sign-in page: LDAP and
 * local providers from the store, built once per stored version (LDAP connection pools are reused),
 * chosen by id (per OAuth client) or by the username's `@domain`.
 */
import type { KeyRing } from '../secrets/envelope.js';
import { getIdentityProvider, listIdentityProviders, notFoundAsUndefined, type IdentityProviderRow } from '../store/identity-providers-repo.js';
import type { Store } from '../store/index.js';
import type { LdapProvider } from './ldap-provider.js';
import { createLocalVerifier } from './local-users.js';
import type { PasswordVerifier } from './password-verifier.js';
import { LocalConfig } from './provider-schema.js';
import { ldapProviderOf } from './provider-runtime.js';

export interface ProviderRegistry {
  /** The verifier of an enabled LDAP or local provider; undefined for unknown, disabled or OIDC ones. */
  verifier(id: string): Promise<PasswordVerifier | undefined>;
  /** `alice@corp.example` → the provider listing `corp.example` and `alice`; otherwise the default provider and the name as given. */
  route(username: string, defaultId?: string): Promise<{ verifier: PasswordVerifier; username: string } | undefined>;
  /** Closes the cached LDAP pools. */
  close(): Promise<void>;
}

export interface ProviderRegistryDeps {
  store: Store;
  keyRing: KeyRing | undefined;
  /** runs scrypt for unknown local users (auth/password-hash.ts createDummyVerifier) */
  dummyVerify: (password: string) => Promise<false>;
}

/** Creates the registry; providers are read from the store on every call (cheap) and rebuilt when their version changes. */
export function createProviderRegistry(d: ProviderRegistryDeps): ProviderRegistry {
  const ldap = new Map<string, { version: number; provider: LdapProvider }>();

  const build = async (row: IdentityProviderRow): Promise<PasswordVerifier | undefined> => {
    if (row.enabled !== 1) return undefined;
    if (row.type === 'local') return createLocalVerifier(row.id, d.store, LocalConfig.parse(JSON.parse(row.config)).mapping, d.dummyVerify);
    if (row.type !== 'ldap') return undefined;
    const cached = ldap.get(row.id);
    if (cached?.version === Number(row.version)) return cached.provider;
    const provider = ldapProviderOf(row, d.keyRing);
    ldap.set(row.id, { version: Number(row.version), provider });
    if (cached) await cached.provider.close();
    return provider;
  };

  return {
    async verifier(id) {
      const row = await getIdentityProvider(d.store, id).catch(notFoundAsUndefined);
      return row ? build(row) : undefined;
    },
    async route(username, defaultId) {
      const at = username.lastIndexOf('@');
      if (at > 0) {
        const domain = username.slice(at + 1).toLowerCase();
        const row = (await listIdentityProviders(d.store)).find((r) => r.enabled === 1 && (JSON.parse(r.domains) as string[]).includes(domain));
        const verifier = row && (await build(row));
        if (verifier) return { verifier, username: username.slice(0, at) };
      }
      const verifier = defaultId === undefined ? undefined : await this.verifier(defaultId);
      return verifier && { verifier, username };
    },
    async close() {
      await Promise.all([...ldap.values()].map((e) => e.provider.close()));
      ldap.clear();
    },
  };
}
