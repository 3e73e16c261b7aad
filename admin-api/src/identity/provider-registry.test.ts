// Choosing the password provider by id or by the username's domain, over a real store and slapd.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_DN, READER_PASSWORD, slapdAvailable, startSlapd, type Slapd } from '../../test/support/slapd.js';
import { insertAdminUser } from '../store/admin-accounts-repo.js';
import { createDummyVerifier, hashPassword } from '../auth/password-hash.js';
import { encryptSecret, masterKeyFrom, type KeyRing } from '../secrets/envelope.js';
import { providerSecretContext } from '../secrets/stored-secrets.js';
import { openStore, type Store } from '../store/index.js';
import { insertIdentityProvider, updateIdentityProvider } from '../store/identity-providers-repo.js';
import { LdapConfig } from './ldap-config.js';
import { createProviderRegistry, type ProviderRegistry } from './provider-registry.js';

const ring: KeyRing = { current: masterKeyFrom(randomBytes(32)), previous: [] };
let slapd: Slapd;
let store: Store;
let registry: ProviderRegistry;

describe.skipIf(!slapdAvailable())('provider registry', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
    store = await openStore('sqlite::memory:');
    const config = LdapConfig.parse({ url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: READER_DN, userBase: 'ou=people,dc=example,dc=test', mapping: { roles: { platform: ['deployer'] } } });
    await insertIdentityProvider(store, 'corp', { type: 'ldap', displayName: 'Corp', enabled: true, domains: ['example.test'], config, secret: encryptSecret(ring, READER_PASSWORD, providerSecretContext('corp')) }, Date.now());
    await insertIdentityProvider(store, 'local', { type: 'local', displayName: 'Local', enabled: true, domains: [], config: { mapping: { roles: { owner: ['admin'] }, adminRoles: {} } }, secret: null }, Date.now());
    await insertAdminUser(store, { username: 'root', passwordHash: await hashPassword('root-password-long'), role: 'owner' }, Date.now());
    registry = createProviderRegistry({ store, keyRing: ring, dummyVerify: await createDummyVerifier() });
  }, 30_000);
  afterAll(async () => {
    await registry?.close();
    await store?.close();
    await slapd?.dispose();
  });

  it('routes user@domain to the directory listing the domain, other names to the default', async () => {
    const r = await registry.route('alice@example.test', 'local');
    expect(r?.username).toBe('alice');
    expect(await r?.verifier.verifyPassword(r.username, 'alice-password-1')).toMatchObject({ ok: true, user: { provider: 'corp', roles: ['deployer'] } });
    const local = await registry.route('root', 'local');
    expect(await local?.verifier.verifyPassword(local.username, 'root-password-long')).toMatchObject({ ok: true, user: { provider: 'local', roles: ['admin'] } });
    expect(await registry.route('root')).toBeUndefined();
    expect(await registry.verifier('nope')).toBeUndefined();
  });

  it('reuses the LDAP provider until its stored version changes; a disabled provider is not used', async () => {
    const a = await registry.verifier('corp');
    expect(await registry.verifier('corp')).toBe(a);
    const config = LdapConfig.parse({ url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: READER_DN, userBase: 'ou=people,dc=example,dc=test' });
    await updateIdentityProvider(store, 'corp', { type: 'ldap', displayName: 'Corp', enabled: false, domains: ['example.test'], config, secret: undefined }, 1, Date.now());
    expect(await registry.verifier('corp')).toBeUndefined();
    expect(await registry.route('alice@example.test')).toBeUndefined();
  });
});
