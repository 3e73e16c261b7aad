/** Turns a stored identity-provider row into a working provider (secret decrypted) and runs its "test" action. */
import { AdminError } from '../errors.js';
import { decryptSecret, type KeyRing } from '../secrets/envelope.js';
import { providerSecretContext } from '../secrets/stored-secrets.js';
import type { IdentityProviderRow } from '../store/identity-providers-repo.js';
import { LdapConfig } from './ldap-config.js';
import { createLdapProvider, type LdapProvider } from './ldap-provider.js';
import { OidcConfig } from './oidc-config.js';
import { discover } from './oidc-discovery.js';

/** The decrypted secret of a row, or undefined; a missing key ring with a stored secret is a clear 503. */
export function providerSecret(row: IdentityProviderRow, ring: KeyRing | undefined): string | undefined {
  if (row.secret === null) return undefined;
  if (!ring) throw new AdminError('ADMIN_SECRET_KEY_MISSING', 'the provider secret is encrypted and no AGENTCORE_SECRET_KEY is configured');
  return decryptSecret(ring, row.secret, providerSecretContext(row.id));
}

/** The LDAP provider of a row (the caller closes it). */
export function ldapProviderOf(row: IdentityProviderRow, ring: KeyRing | undefined): LdapProvider {
  const cfg = LdapConfig.parse(JSON.parse(row.config));
  return createLdapProvider(row.id, cfg, providerSecret(row, ring) ?? '');
}

/** The OIDC settings of a row with the client secret filled in. */
export function oidcConfigOf(row: IdentityProviderRow, ring: KeyRing | undefined): OidcConfig {
  const secret = providerSecret(row, ring);
  return OidcConfig.parse({ ...(JSON.parse(row.config) as object), ...(secret === undefined ? {} : { clientSecret: secret }) });
}

/** The "test connection" report of a provider; never contains its secret. */
export async function testProvider(row: IdentityProviderRow, ring: KeyRing | undefined, username: string | undefined): Promise<Record<string, unknown>> {
  if (row.type === 'ldap') {
    const p = ldapProviderOf(row, ring);
    try {
      return { ...(await p.testConnection(username)) };
    } finally {
      await p.close();
    }
  }
  if (row.type === 'oidc') {
    const cfg = oidcConfigOf(row, ring);
    const t0 = performance.now();
    try {
      const as = await discover(cfg);
      const pkce = as.code_challenge_methods_supported?.includes('S256') ?? false;
      return {
        ok: pkce,
        steps: [{ step: 'discovery', ok: true, ms: Math.round(performance.now() - t0) }, { step: 'PKCE S256 supported', ok: pkce, ms: 0 }],
        metadata: { issuer: as.issuer, authorization_endpoint: as.authorization_endpoint, token_endpoint: as.token_endpoint, jwks_uri: as.jwks_uri },
      };
    } catch (err) {
      return { ok: false, steps: [{ step: 'discovery', ok: false, ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) }] };
    }
  }
  return { ok: true, steps: [{ step: 'local users need no connection', ok: true, ms: 0 }] };
}
