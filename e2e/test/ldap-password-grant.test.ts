/**
 * Issue #13, whole system: a user of a real OpenLDAP (slapd) gets a token with the password grant, calls the
 * demo backend through a synced sidecar, and the backend sees the roles mapped from the user's (nested)
 * groups; after the user is moved out of a group in the directory, the next token lacks that group's role
 * and the sidecar refuses the write it allowed before.
 */
import { randomBytes } from 'node:crypto';
import { Attribute, Change } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READER_DN, READER_PASSWORD, slapdAvailable, startSlapd, type Slapd } from '../../admin-api/test/support/slapd.js';
import { decodeIdentity, type ForwardedIdentity } from '../src/identity-headers.js';
import { startSyncedSystem, type SyncedSystem } from './support/synced-system.js';

const ALICE = 'uid=alice,ou=people,dc=example,dc=test';
const GROUPS = 'ou=groups,dc=example,dc=test';
let slapd: Slapd;
let sys: SyncedSystem;
let clientSecret: string;

/** The password grant for `username`, as the confidential client `cli` (client_secret_basic, form encoded). */
async function passwordToken(username: string, password: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL('/oauth/token', sys.admin.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`cli:${clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'agents.read agents.write' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function aliceToken(): Promise<{ token: string; roles: string[]; sub: string }> {
  const r = await passwordToken('alice@example.test', 'alice-password-1');
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  const token = r.body.access_token as string;
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { roles: string[]; sub: string };
  return { token, roles: [...claims.roles].sort(), sub: claims.sub };
}

const sidecar = (path: string, token: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${sys.sidecar.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });

/** Retries until the sidecar's bundle trusts the control plane's tokens (the client was just created). */
async function untilSynced(token: string, ms: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const r = await sidecar('/api/v1/agents', token);
    await r.arrayBuffer();
    if (r.status === 200) return;
    if (Date.now() - t0 > ms) throw new Error(`sidecar still answers ${r.status} after ${ms} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function moveAlice(from: string, to: string): Promise<void> {
  const c = await slapd.adminClient();
  try {
    const member = (operation: 'add' | 'delete') => new Change({ operation, modification: new Attribute({ type: 'member', values: [ALICE] }) });
    await c.modify(`cn=${from},${GROUPS}`, member('delete'));
    await c.modify(`cn=${to},${GROUPS}`, member('add'));
  } finally {
    await c.unbind();
  }
}

describe.skipIf(!slapdAvailable())('LDAP user → password grant → synced sidecar → demo backend', () => {
  beforeAll(async () => {
    slapd = await startSlapd();
    sys = await startSyncedSystem('agentcore-e2e-ldap-', { adminEnv: { AGENTCORE_SECRET_KEY: randomBytes(32).toString('base64') } });
    const idp = await sys.call('POST', '/api/v1/identity-providers', {
      id: 'corp-ldap', type: 'ldap', displayName: 'Corp directory', domains: ['example.test'],
      config: {
        url: slapd.ldapsUrl, caPem: slapd.caPem, bindDn: READER_DN, bindPassword: READER_PASSWORD,
        userBase: 'ou=people,dc=example,dc=test', userFilter: '(&(objectClass=inetOrgPerson)(uid={username}))',
        groups: { source: 'memberOf', base: GROUPS, nested: 'recursive' },
        // platform ⊂ engineering in the directory: alice (in platform) is also in engineering through nesting
        mapping: { roles: { platform: ['operator'], engineering: ['viewer'] } },
      },
    });
    expect(idp.status, JSON.stringify(idp.body)).toBe(201);
    const client = await sys.call<{ secret: string }>('POST', '/api/v1/oauth-clients', {
      id: 'cli', name: 'CLI', type: 'confidential', grants: ['password'], audiences: ['agents'],
      scopes: ['agents.read', 'agents.write'], scopeRoles: { 'agents.read': ['viewer'], 'agents.write': ['operator'] },
    });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    clientSecret = client.body.secret;
  }, 90_000);
  afterAll(async () => {
    await sys?.close();
    await slapd?.dispose();
  });

  it('the backend sees the roles of the groups; moving the user out of a group changes the next token', async () => {
    const wrong = await passwordToken('alice@example.test', 'not-her-password');
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const before = await aliceToken();
    expect(before.roles).toEqual(['operator', 'viewer']);
    expect(before.sub).toMatch(/^corp-ldap:[0-9a-f-]{36}$/);
    await untilSynced(before.token, 15_000);
    const echo = await sidecar('/api/v1/debug/echo', before.token); // debug:read is an operator permission
    expect(echo.status).toBe(200);
    const seen = ((await echo.json()) as { identity: ForwardedIdentity }).identity;
    expect(seen).toMatchObject({ subject: before.sub, method: 'jwt', credential: 'agentcore-control-plane', scopes: ['agents.read', 'agents.write'] });
    expect([...seen.roles].sort()).toEqual(['operator', 'viewer']);
    const created = await sidecar('/api/v1/agents', before.token, { method: 'POST', body: '{"name":"from-ldap"}' });
    expect(created.status).toBe(201);

    await moveAlice('platform', 'engineering'); // out of platform (operator), still in engineering (viewer)

    const after = await aliceToken();
    expect(after.roles).toEqual(['viewer']);
    expect(after.sub).toBe(before.sub);
    const write = await sidecar('/api/v1/agents', after.token, { method: 'POST', body: '{"name":"denied"}' });
    expect(write.status).toBe(403);
    expect((await sidecar('/api/v1/debug/echo', after.token)).status).toBe(403);
    const read = await sidecar('/api/v1/agents', after.token);
    expect(read.status).toBe(200);
    const last = sys.backend.received.filter((r) => r.url === '/api/v1/agents').at(-1)!;
    expect(last.method).toBe('GET');
    expect(decodeIdentity(last.headers)).toMatchObject({ subject: after.sub, roles: ['viewer'] });
  }, 60_000);
});
