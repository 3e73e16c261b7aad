// The LDAP provider against a real Samba Active Directory DC provisioned by the test:
// sAMAccountName and userPrincipalName sign-in, LDAP_MATCHING_RULE_IN_CHAIN nesting, disabled accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AD_ADMIN, AD_ADMIN_PASSWORD, AD_BASE, sambaSkipReason, startSambaAd, type SambaAd } from '../../test/support/samba-ad.js';
import { LdapConfig } from './ldap-config.js';
import { createLdapProvider, type LdapProvider } from './ldap-provider.js';

let ad: SambaAd;
const providers: LdapProvider[] = [];

function provider(groups: Record<string, unknown>): LdapProvider {
  const cfg = LdapConfig.parse({
    url: ad.ldapsUrl,
    caPem: ad.caPem,
    bindDn: AD_ADMIN,
    userBase: AD_BASE,
    userFilter: '(&(objectCategory=person)(objectClass=user)(|(sAMAccountName={username})(userPrincipalName={username})))',
    attributes: { username: 'sAMAccountName', displayName: 'displayName', email: 'mail' },
    disabledFilter: '(userAccountControl:1.2.840.113556.1.4.803:=2)',
    groups,
    mapping: { roles: { 'GG-Staff': ['employee'], 'GG-Platform': ['deployer'] }, adminRoles: { 'GG-Engineering': ['platform-engineer'] } },
    connectTimeoutMs: 3000,
    operationTimeoutMs: 10_000,
  });
  const p = createLdapProvider('corp-ad', cfg, AD_ADMIN_PASSWORD);
  providers.push(p);
  return p;
}

const skipReason = await sambaSkipReason();
if (skipReason) console.warn(`Samba AD tests skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('LDAP provider against Samba AD', () => {
  beforeAll(async () => {
    ad = await startSambaAd();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    await ad?.dispose();
  });

  it('provisions in under a minute', () => {
    expect(ad.provisionSeconds).toBeLessThan(60);
  });

  it('signs in by sAMAccountName and by userPrincipalName, nested groups by LDAP_MATCHING_RULE_IN_CHAIN', async () => {
    const p = provider({ source: 'search', base: AD_BASE, nested: 'in-chain' });
    for (const name of ['alice', 'alice@corp.example.test']) {
      const r = await p.verifyPassword(name, 'Alice-Passw0rd!1');
      expect(r, name).toMatchObject({ ok: true, user: { username: 'alice', email: 'alice@corp.example.test' } });
      expect(r.ok && r.user.groups).toEqual(['GG-Engineering', 'GG-Platform', 'GG-Staff']);
      expect(r.ok && r.user.roles).toEqual(['deployer', 'employee']);
      expect(r.ok && r.user.adminRoles).toEqual(['platform-engineer']);
      expect(r.ok && r.user.subject).toMatch(/^corp-ad:[0-9a-f]{32}$/); // objectGUID
    }
  }, 60_000);

  it('memberOf (direct) plus recursive search finds the same groups', async () => {
    const r = await provider({ source: 'memberOf', base: AD_BASE, nested: 'recursive' }).verifyPassword('bob', 'Bob-Passw0rd!2');
    expect(r.ok && r.user.groups).toEqual(['GG-Engineering', 'GG-Staff']);
  }, 60_000);

  it('refuses wrong passwords, injection and disabled accounts', async () => {
    const p = provider({ source: 'memberOf', nested: 'none' });
    expect(await p.verifyPassword('alice', 'wrong')).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
    expect(await p.verifyPassword('*)(sAMAccountName=*', 'Alice-Passw0rd!1')).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
    expect(await p.verifyPassword('a*', 'Alice-Passw0rd!1')).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
    // AD itself refuses the bind of a disabled account: answered like a wrong password
    expect(await p.verifyPassword('carol', 'Carol-Passw0rd!3')).toMatchObject({ ok: false });
    const report = await p.testConnection('carol');
    expect(report.user?.disabled).toBe(true);
  }, 60_000);
});
