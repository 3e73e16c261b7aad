// /api/v1/identity-providers on a real server and store, with a real slapd for the test action.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_DN, READER_PASSWORD, slapdAvailable, startSlapd, type Slapd } from '../../test/support/slapd.js';
import { masterKeyFrom, type KeyRing } from '../secrets/envelope.js';
import { assertSecretsReadable } from '../secrets/stored-secrets.js';
import { identityProviderEndpoints } from './identity-provider-endpoints.js';
import { startIdentityServer, type IdentityTestServer } from './test-identity-server.js';

const ring: KeyRing = { current: masterKeyFrom(randomBytes(32)), previous: [] };
let slapd: Slapd;
let srv: IdentityTestServer;

const ldapBody = (over: Record<string, unknown> = {}) => ({
  id: 'corp-ldap',
  type: 'ldap',
  displayName: 'Corporate directory',
  config: {
    url: slapd.ldapsUrl,
    caPem: slapd.caPem,
    bindDn: READER_DN,
    bindPassword: READER_PASSWORD,
    userBase: 'ou=people,dc=example,dc=test',
    groups: { source: 'memberOf', base: 'ou=groups,dc=example,dc=test', nested: 'recursive' },
    mapping: { roles: { staff: ['employee'] }, adminRoles: { 'gateway-admins': ['security-admin'] } },
    ...over,
  },
});

/** Every text value in every table of the SQLite store, as one string (a "database dump"). */
async function dump(s: IdentityTestServer): Promise<string> {
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(s.store.db);
  let out = '';
  for (const t of tables.rows) out += JSON.stringify((await sql`select * from ${sql.table(t.name)}`.execute(s.store.db)).rows);
  return out;
}

describe.skipIf(!slapdAvailable())('identity-provider endpoints', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
    srv = await startIdentityServer((store) => identityProviderEndpoints({ store, keyRing: ring }));
  }, 30_000);
  afterAll(async () => {
    await srv?.close();
    await slapd?.dispose();
  });

  it('creates an LDAP provider: 201 with ETag and Location, the bind password never returned nor stored in clear', async () => {
    const r = await srv.call('POST', '/api/v1/identity-providers', { body: ldapBody() });
    expect(r.status).toBe(201);
    expect(r.headers.get('etag')).toBe('"v1"');
    expect(r.headers.get('location')).toBe('/api/v1/identity-providers/corp-ldap');
    expect(r.body).toMatchObject({ id: 'corp-ldap', type: 'ldap', enabled: true, secretSet: true, version: 1 });
    expect(JSON.stringify(r.body)).not.toContain(READER_PASSWORD);
    const got = await srv.call('GET', '/api/v1/identity-providers/corp-ldap', { role: 'auditor' });
    expect(got.body.config.bindPassword).toBeUndefined();
    expect((await srv.call('GET', '/api/v1/identity-providers')).body.items).toHaveLength(1);
    const all = await dump(srv);
    expect(all).toContain('agcenc:v1:');
    expect(all).not.toContain(READER_PASSWORD);
    expect(all).toContain('identity-provider.create'); // audited
    await expect(assertSecretsReadable(srv.store, undefined)).rejects.toThrow(/no secret key is configured/);
  });

  it('the test action binds with the stored (decrypted) password and reports the sample user', async () => {
    const r = await srv.call('POST', '/api/v1/identity-providers/corp-ldap/test', { body: { username: 'alice' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, tls: 'ldaps', user: { username: 'alice', roles: ['employee'], adminRoles: ['security-admin'] } });
    const missing = await srv.call('POST', '/api/v1/identity-providers/corp-ldap/test', { body: { username: 'nobody' } });
    expect(missing.body.ok).toBe(false);
  });

  it('replace needs the current version when If-Match is sent; omitting the secret keeps it', async () => {
    const { bindPassword: _omit, ...config } = ldapBody().config;
    const body = { ...ldapBody(), displayName: 'Renamed', config };
    expect((await srv.call('PUT', '/api/v1/identity-providers/corp-ldap', { body, ifMatch: '"v7"' })).status).toBe(412);
    const ok = await srv.call('PUT', '/api/v1/identity-providers/corp-ldap', { body, ifMatch: '"v1"' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ displayName: 'Renamed', secretSet: true, version: 2 });
    expect((await srv.call('POST', '/api/v1/identity-providers/corp-ldap/test', { body: {} })).body.ok).toBe(true);
    const typeChange = await srv.call('PUT', '/api/v1/identity-providers/corp-ldap', { body: { id: 'corp-ldap', type: 'local', displayName: 'x', config: {} } });
    expect(typeChange.status).toBe(400);
  });

  it('validates input with field paths, and refuses writes without security:write', async () => {
    const bad = await srv.call('POST', '/api/v1/identity-providers', { body: ldapBody({ url: 'ldap://127.0.0.1:389' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].path).toBe('body.config.url');
    expect((await srv.call('POST', '/api/v1/identity-providers', { body: { ...ldapBody(), type: 'kerberos' } })).status).toBe(400);
    expect((await srv.call('POST', '/api/v1/identity-providers', { body: { ...ldapBody(), id: 'other', extra: 1 } })).status).toBe(400);
    expect((await srv.call('POST', '/api/v1/identity-providers', { body: { ...ldapBody(), id: 'x2' }, role: 'auditor' })).status).toBe(403);
    expect((await srv.call('POST', '/api/v1/identity-providers', { body: ldapBody() })).status).toBe(409);
    const oidc = { id: 'kc', type: 'oidc', displayName: 'Keycloak', config: { issuer: 'http://idp.example.com/realms/x', clientId: 'gw' } };
    expect((await srv.call('POST', '/api/v1/identity-providers', { body: oidc })).body.error.details.fields[0].path).toBe('body.config.issuer');
  });

  it('without a secret key a provider with a secret is refused with a clear message', async () => {
    const noKey = await startIdentityServer((store) => identityProviderEndpoints({ store, keyRing: undefined }));
    try {
      const r = await noKey.call('POST', '/api/v1/identity-providers', { body: ldapBody() });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/AGENTCORE_SECRET_KEY/);
    } finally {
      await noKey.close();
    }
  });

  it('delete honours If-Match and is audited', async () => {
    expect((await srv.call('DELETE', '/api/v1/identity-providers/corp-ldap', { ifMatch: '"v1"' })).status).toBe(412);
    expect((await srv.call('DELETE', '/api/v1/identity-providers/corp-ldap', { ifMatch: '"v2"' })).status).toBe(204);
    expect((await srv.call('GET', '/api/v1/identity-providers/corp-ldap')).status).toBe(404);
    const audit = await sql<{ action: string; after: string | null }>`select action, after from audit_events where resource_type = 'identity-provider' order by id`.execute(srv.store.db);
    expect(audit.rows.map((a) => a.action)).toEqual(['identity-provider.create', 'identity-provider.update', 'identity-provider.delete']);
  });
});
