// The LDAP provider against a real OpenLDAP (slapd) started by the test on free ports.
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_DN, READER_PASSWORD, startSlapd, slapdAvailable, type Slapd } from '../../test/support/slapd.js';
import { LdapConfig } from './ldap-config.js';
import { inChainFilter } from './ldap-groups.js';
import { createLdapProvider, type LdapProvider } from './ldap-provider.js';

const GROUPS = 'ou=groups,dc=example,dc=test';
const memberChange = (operation: 'add' | 'delete') =>
  new Change({ operation, modification: new Attribute({ type: 'member', values: ['uid=alice,ou=people,dc=example,dc=test'] }) });
let slapd: Slapd;
const providers: LdapProvider[] = [];

function provider(over: Record<string, unknown> = {}, password = READER_PASSWORD): LdapProvider {
  const cfg = LdapConfig.parse({
    url: slapd.ldapsUrl,
    caPem: slapd.caPem,
    bindDn: READER_DN,
    userBase: 'ou=people,dc=example,dc=test',
    userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
    disabledFilter: '(employeeType=disabled)',
    groups: { source: 'memberOf', base: GROUPS, nested: 'recursive' },
    mapping: { roles: { staff: ['employee'], platform: ['deployer'], 'cn=engineering,ou=groups,dc=example,dc=test': ['engineer'] }, adminRoles: { 'gateway-admins': ['owner'], engineering: ['auditor'] } },
    connectTimeoutMs: 1000,
    operationTimeoutMs: 1500,
    ...over,
  });
  const p = createLdapProvider('corp-ldap', cfg, password);
  providers.push(p);
  return p;
}

describe.skipIf(!slapdAvailable())('LDAP provider against slapd', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
  }, 30_000);
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
    await slapd?.dispose();
  });

  it('signs in over ldaps with a pinned CA, with nested groups mapped to roles and admin roles', async () => {
    const r = await provider().verifyPassword('alice', 'alice-password-1');
    expect(r).toMatchObject({ ok: true, user: { username: 'alice', displayName: 'Alice Archer', email: 'alice@example.test', provider: 'corp-ldap' } });
    if (!r.ok) return;
    expect(r.user.groups).toEqual(['engineering', 'gateway-admins', 'platform', 'staff']);
    expect(r.user.roles).toEqual(['deployer', 'employee', 'engineer']);
    expect(r.user.adminRoles).toEqual(['owner', 'auditor']);
    expect(r.user.subject).toMatch(/^corp-ldap:[0-9a-f-]{36}$/); // entryUUID: stable across renames
  });

  it('without nesting only direct groups count; a group search finds the same as memberOf', async () => {
    const direct = await provider({ groups: { source: 'memberOf', nested: 'none' } }).verifyPassword('bob', 'bob-password-2');
    expect(direct.ok && direct.user.groups).toEqual(['engineering']);
    const searched = await provider({ groups: { source: 'search', base: GROUPS, filter: '(&(objectClass=groupOfNames)(member={dn}))', nested: 'recursive' } }).verifyPassword('bob', 'bob-password-2');
    expect(searched.ok && searched.user.groups).toEqual(['engineering', 'staff']);
    expect(searched.ok && searched.user.roles).toEqual(['employee', 'engineer']);
  });

  it('refuses a wrong password, an unknown user and an empty password with one answer', async () => {
    const p = provider();
    for (const [u, pw] of [['alice', 'wrong'], ['nobody', 'alice-password-1'], ['alice', ''], ['', 'x']] as const) {
      expect(await p.verifyPassword(u, pw)).toEqual({ ok: false, reason: 'INVALID_CREDENTIALS', message: 'invalid username or password' });
    }
  });

  it('reports a disabled account only to someone who knows its password', async () => {
    const p = provider();
    expect(await p.verifyPassword('carol', 'carol-password-3')).toMatchObject({ ok: false, reason: 'ACCOUNT_DISABLED' });
    expect(await p.verifyPassword('carol', 'nope')).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
  });

  it('filter injection attempts find nothing, even with a valid password', async () => {
    const p = provider();
    for (const u of ['*)(uid=*', '*', 'al*', 'alice)(|(uid=*', '\u0000', 'alice\u0000', '(', ')', 'alice)', '\\2a', '*)(objectClass=*))(|(uid=*']) {
      expect(await p.verifyPassword(u, 'alice-password-1'), JSON.stringify(u)).toMatchObject({ ok: false, reason: 'INVALID_CREDENTIALS' });
    }
  });

  it('StartTLS with the pinned CA works; a wrong pinned CA fails closed on ldaps and StartTLS', async () => {
    const st = await provider({ url: slapd.ldapUrl, startTls: true }).verifyPassword('alice', 'alice-password-1');
    expect(st).toMatchObject({ ok: true });
    for (const over of [{ caPem: slapd.otherCaPem }, { url: slapd.ldapUrl, startTls: true, caPem: slapd.otherCaPem }]) {
      const r = await provider(over).verifyPassword('alice', 'alice-password-1');
      expect(r).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
      expect(!r.ok && r.message).toMatch(/certificate/i);
    }
  });

  it('refuses plain ldap:// unless allowed, and an in-chain search needs a group base', () => {
    expect(LdapConfig.safeParse({ url: 'ldap://127.0.0.1:389', bindDn: 'x', userBase: 'y' }).success).toBe(false);
    expect(LdapConfig.safeParse({ url: 'ldap://127.0.0.1:389', allowInsecure: true, bindDn: 'x', userBase: 'y' }).success).toBe(true);
    expect(LdapConfig.safeParse({ url: 'ldaps://h:636', bindDn: 'x', userBase: 'y', groups: { nested: 'in-chain' } }).success).toBe(false);
    expect(inChainFilter('CN=A (x)*,DC=corp')).toBe('(member:1.2.840.113556.1.4.1941:=CN=A \\28x\\29\\2a,DC=corp)');
  });

  it('a wrong service-account password is PROVIDER_UNAVAILABLE, not a refusal of the user', async () => {
    expect(await provider({}, 'not-the-reader-password').verifyPassword('alice', 'alice-password-1')).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
  });

  it('reports what it found for a sample user', async () => {
    const report = await provider().testConnection('alice');
    expect(report).toMatchObject({ ok: true, tls: 'ldaps', user: { dn: 'uid=alice,ou=people,dc=example,dc=test', disabled: false, roles: ['deployer', 'employee', 'engineer'] } });
    expect(report.steps.map((s) => s.ok)).toEqual([true, true, true]);
    const bad = await provider({ caPem: slapd.otherCaPem }).testConnection('alice');
    expect(bad.ok).toBe(false);
    expect(bad.steps[0]?.error).toMatch(/certificate/i);
    expect(JSON.stringify(bad)).not.toContain(READER_PASSWORD);
  });

  it('moving a user out of a group changes the roles of the next sign-in', async () => {
    const p = provider();
    const admin = await slapd.adminClient();
    try {
      await admin.modify(`cn=platform,${GROUPS}`, [memberChange('delete')]);
      const r = await p.verifyPassword('alice', 'alice-password-1');
      expect(r.ok && r.user.groups).toEqual(['gateway-admins']);
      expect(r.ok && r.user.roles).toEqual([]);
      await admin.modify(`cn=platform,${GROUPS}`, [memberChange('add')]);
    } finally {
      await admin.unbind();
    }
    expect((await p.verifyPassword('alice', 'alice-password-1')).ok && true).toBe(true);
  });

  it('the pool serves many concurrent sign-ins with a few connections', async () => {
    const p = provider({ poolSize: 2 });
    const users = [['alice', 'alice-password-1'], ['bob', 'bob-password-2'], ['dave', 'dave-password-4']] as const;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => users[i % 3] ?? users[0]).map(([u, pw]) => p.verifyPassword(u, pw)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.ok && r.user.username)).toEqual(Array.from({ length: 30 }, (_, i) => users[i % 3]?.[0]));
  });

  it('slapd stopped mid-test: PROVIDER_UNAVAILABLE within the timeout, then recovery after restart', async () => {
    const p = provider();
    expect((await p.verifyPassword('alice', 'alice-password-1')).ok).toBe(true); // the pool holds a live connection
    await slapd.stop();
    const t0 = Date.now();
    const down = await p.verifyPassword('alice', 'alice-password-1');
    expect(down).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(1000 + 3 * 1500 + 2000);
    await slapd.restart();
    expect((await p.verifyPassword('alice', 'alice-password-1')).ok).toBe(true);
  }, 30_000);

  it('a hung slapd (SIGSTOP) gives PROVIDER_UNAVAILABLE by the deadline, never a sign-in', async () => {
    const p = provider();
    const pid = slapd.pid();
    if (pid === undefined) throw new Error('slapd not running');
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = Date.now();
      const r = await p.verifyPassword('alice', 'alice-password-1');
      expect(r).toMatchObject({ ok: false, reason: 'PROVIDER_UNAVAILABLE' });
      expect(Date.now() - t0).toBeLessThan(1000 + 3 * 1500 + 2000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await p.verifyPassword('alice', 'alice-password-1')).ok).toBe(true);
  }, 30_000);
});
