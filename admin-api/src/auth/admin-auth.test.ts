import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../http/app.js';
import { endpoint, type Access, type EndpointSpec } from '../http/endpoint.js';
import { openApiDocument } from '../http/openapi.js';
import { openStore, type Store } from '../store/index.js';
import type { AdminRole } from './admin-roles.js';
import { sha256Hex } from './credential-digest.js';
import { createAuth, type AdminAuth, type AdminAuthOptions } from './index.js';

const OWNER_PASSWORD = 'owner-password-1234';
const PASSWORDS: Record<AdminRole, string> = {
  owner: OWNER_PASSWORD,
  'security-admin': 'sec-admin-password-5678',
  'platform-engineer': 'platform-password-9012',
  auditor: 'auditor-password-3456',
};
const USERS: Record<AdminRole, string> = { owner: 'admin', 'security-admin': 'sam', 'platform-engineer': 'pat', auditor: 'audrey' };

/** One probe endpoint per access level; each answers who the guard let in. */
const PROBES: { method: 'get' | 'post'; path: string; access: Access }[] = [
  { method: 'get', path: '/api/v1/test/public', access: 'public' },
  { method: 'get', path: '/api/v1/test/authenticated', access: 'authenticated' },
  { method: 'get', path: '/api/v1/test/sidecar', access: 'sidecar' },
  { method: 'get', path: '/api/v1/test/read', access: 'read' },
  { method: 'post', path: '/api/v1/test/platform', access: 'platform:write' },
  { method: 'post', path: '/api/v1/test/security', access: 'security:write' },
  { method: 'get', path: '/api/v1/test/logs', access: 'logs:read' },
  { method: 'post', path: '/api/v1/test/admin', access: 'admin:manage' },
];
const probeEndpoints = PROBES.map((p) =>
  endpoint({
    method: p.method,
    path: p.path,
    operationId: `probe_${p.access}`,
    summary: `probe ${p.access}`,
    tags: ['test'],
    access: p.access,
    responses: { 200: { description: 'let in' } },
    async handler({ actor, res }) {
      return { body: { actor: actor ?? null, sidecar: (res.locals.sidecar as unknown) ?? null } };
    },
  }),
) as EndpointSpec<never, never, never>[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary fields of JSON answers
type JsonBody = any;

interface Harness {
  store: Store;
  auth: AdminAuth;
  logLines: string[];
  call(method: string, path: string, o?: { cookie?: string; csrf?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  login(username: string, password: string): Promise<{ cookie: string; csrf: string; setCookie: string }>;
  close(): Promise<void>;
}

async function startHarness(o: Partial<AdminAuthOptions> = {}, bootstrap = true): Promise<Harness> {
  const logLines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (s: string) => void logLines.push(s) });
  const store = await openStore('sqlite::memory:');
  const auth = await createAuth(store, { log, secureCookies: true, ...o });
  if (bootstrap) await auth.bootstrapOwner(OWNER_PASSWORD);
  const app = createApp({ endpoints: [...auth.endpoints, ...probeEndpoints], guard: auth.guard, log });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call: Harness['call'] = async (method, path, c = {}) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.cookie) headers.cookie = c.cookie;
    if (c.csrf) headers['x-csrf-token'] = c.csrf;
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, { method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
  const login: Harness['login'] = async (username, password) => {
    const r = await call('POST', '/api/v1/session', { body: { username, password } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const setCookie = r.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0] ?? '', csrf: r.body.csrf_token as string, setCookie };
  };
  return {
    store,
    auth,
    logLines,
    call,
    login,
    async close() {
      server.closeAllConnections();
      server.close();
      await store.close();
    },
  };
}

const auditRows = (store: Store) => store.db.selectFrom('audit_events').selectAll().orderBy('id').execute();

describe('bootstrap', { timeout: 30_000 }, () => {
  it('creates admin with the given password once; a second start is a no-op', async () => {
    const h = await startHarness({}, false);
    try {
      expect(await h.auth.bootstrapOwner(OWNER_PASSWORD)).toEqual({ created: true });
      expect(await h.auth.bootstrapOwner('another-password-here')).toEqual({ created: false });
      const s = await h.login('admin', OWNER_PASSWORD);
      expect((await h.call('GET', '/api/v1/session', { cookie: s.cookie })).body).toMatchObject({ username: 'admin', role: 'owner', via: 'session' });
      expect((await h.call('POST', '/api/v1/session', { body: { username: 'admin', password: 'another-password-here' } })).status).toBe(401);
    } finally {
      await h.close();
    }
  });

  it('generates a password when none is given and returns it once', async () => {
    const h = await startHarness({}, false);
    try {
      const r = await h.auth.bootstrapOwner(undefined);
      expect(r.created).toBe(true);
      expect(r.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await h.login('admin', r.generatedPassword ?? '');
      expect(await h.auth.bootstrapOwner(undefined)).toEqual({ created: false });
      expect(h.logLines.join('')).not.toContain(r.generatedPassword);
    } finally {
      await h.close();
    }
  });

  it('refuses a password shorter than 12 characters', async () => {
    const h = await startHarness({}, false);
    try {
      await expect(h.auth.bootstrapOwner('short')).rejects.toThrow(/at least 12/);
    } finally {
      await h.close();
    }
  });
});

describe('login lockout', { timeout: 30_000 }, () => {
  it('answers 429 with Retry-After after 5 failures for a username, even with the right password', async () => {
    const h = await startHarness();
    try {
      for (let i = 0; i < 5; i++) expect((await h.call('POST', '/api/v1/session', { body: { username: 'admin', password: `wrong-password-${i}` } })).status).toBe(401);
      const r = await h.call('POST', '/api/v1/session', { body: { username: 'admin', password: OWNER_PASSWORD } });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(800);
      const denied = (await auditRows(h.store)).filter((e) => e.outcome === 'denied');
      expect(denied.map((e) => JSON.parse(e.after ?? '{}').reason)).toEqual([...Array<string>(5).fill('WRONG_PASSWORD'), 'LOGIN_LOCKED']);
    } finally {
      await h.close();
    }
  });

  it('locks a client address that sprays many usernames', async () => {
    const h = await startHarness({ loginThrottle: { maxPerClient: 3 } });
    try {
      for (const u of ['a1', 'a2', 'a3']) expect((await h.call('POST', '/api/v1/session', { body: { username: u, password: 'x' } })).status).toBe(401);
      expect((await h.call('POST', '/api/v1/session', { body: { username: 'admin', password: OWNER_PASSWORD } })).status).toBe(429);
    } finally {
      await h.close();
    }
  });
});

describe('admin auth over HTTP', { timeout: 60_000 }, () => {
  let h: Harness;
  let owner: { cookie: string; csrf: string; setCookie: string };
  const tokens = {} as Record<AdminRole, string>;
  const secrets: string[] = [...Object.values(PASSWORDS)];

  beforeAll(async () => {
    h = await startHarness();
    owner = await h.login('admin', OWNER_PASSWORD);
    secrets.push(owner.cookie.split('=')[1] ?? '', owner.csrf);
    for (const role of ['security-admin', 'platform-engineer', 'auditor'] as const) {
      const r = await h.call('POST', '/api/v1/admin-users', { ...owner, body: { username: USERS[role], password: PASSWORDS[role], role } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body).toMatchObject({ username: USERS[role], role, disabled: false, version: 1 });
      expect(JSON.stringify(r.body)).not.toContain('scrypt');
    }
    for (const role of Object.keys(USERS) as AdminRole[]) {
      const s = role === 'owner' ? owner : await h.login(USERS[role], PASSWORDS[role]);
      const t = await h.call('POST', '/api/v1/tokens', { ...s, body: { name: `${role} automation` } });
      expect(t.status, JSON.stringify(t.body)).toBe(201);
      tokens[role] = t.body.token as string;
      secrets.push(tokens[role]);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrong = await h.call('POST', '/api/v1/session', { body: { username: 'admin', password: 'not-the-password' } });
    const unknown = await h.call('POST', '/api/v1/session', { body: { username: 'nobody', password: 'not-the-password' } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
    expect(unknown.body.error.details).toEqual(wrong.body.error.details);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('sets an HttpOnly, SameSite=Strict, Secure session cookie and stores only its SHA-256', async () => {
    const attrs = owner.setCookie.split(';').map((a) => a.trim());
    expect(attrs[0]).toMatch(/^agentcore_session=[A-Za-z0-9_-]{43}$/);
    expect(attrs).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Secure', 'Max-Age=43200']));
    const id = owner.cookie.split('=')[1] ?? '';
    const rows = await h.store.db.selectFrom('admin_sessions').selectAll().execute();
    expect(rows.map((r) => r.id)).toContain(sha256Hex(id));
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(JSON.stringify(rows)).not.toContain(owner.csrf);
  });

  it('answers a request without credential 401 with WWW-Authenticate, and does not audit it', async () => {
    const before = (await auditRows(h.store)).length;
    const r = await h.call('GET', '/api/v1/test/read');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHENTICATED');
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="agentcore-admin"');
    expect((await auditRows(h.store)).length).toBe(before);
    expect((await h.call('GET', '/api/v1/test/public')).status).toBe(200);
  });

  it.each([
    ['a bogus cookie', { cookie: 'agentcore_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, 'INVALID_SESSION'],
    ['a malformed cookie', { cookie: 'agentcore_session=short' }, 'MALFORMED_CREDENTIAL'],
    ['an unknown token', { token: 'agc_pat_doesnotexist' }, 'INVALID_TOKEN'],
    ['a Basic header', { headers: { authorization: 'Basic YWRtaW46eA==' } }, 'MALFORMED_CREDENTIAL'],
  ])('answers %s 401 invalid_token and audits the denial', async (_, creds, reason) => {
    const r = await h.call('GET', '/api/v1/test/read', creds);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer realm="agentcore-admin", error="invalid_token"');
    const last = (await auditRows(h.store)).at(-1);
    expect(last).toMatchObject({ actor: 'anonymous', action: 'GET /api/v1/test/read', resource_type: 'endpoint', resource_id: '/api/v1/test/read', outcome: 'denied' });
    expect(JSON.parse(last?.after ?? '{}')).toMatchObject({ reason });
  });

  it('needs the CSRF token on cookie-authenticated unsafe methods, not on bearer requests', async () => {
    const missing = await h.call('POST', '/api/v1/test/platform', { cookie: owner.cookie });
    const wrong = await h.call('POST', '/api/v1/test/platform', { cookie: owner.cookie, csrf: 'x'.repeat(43) });
    for (const r of [missing, wrong]) {
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'CSRF' } });
    }
    expect((await h.call('POST', '/api/v1/test/platform', { cookie: owner.cookie, csrf: owner.csrf })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/test/read', { cookie: owner.cookie })).status).toBe(200); // safe method
    expect((await h.call('POST', '/api/v1/test/platform', { token: tokens.owner })).status).toBe(200); // bearer: exempt
    // a bearer request ignores a cookie sent alongside it
    expect((await h.call('POST', '/api/v1/test/platform', { token: tokens.owner, cookie: owner.cookie })).body.actor).toMatchObject({ via: 'token' });
    const last = (await auditRows(h.store)).filter((e) => e.outcome === 'denied').at(-1);
    expect(last).toMatchObject({ actor: 'admin', action: 'POST /api/v1/test/platform' });
  });

  it('returns the session and its CSRF token on GET /api/v1/session (after a reload)', async () => {
    const r = await h.call('GET', '/api/v1/session', { cookie: owner.cookie });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: 'admin', role: 'owner', via: 'session', csrf_token: owner.csrf });
    expect(Date.parse(r.body.expires_at)).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const viaToken = await h.call('GET', '/api/v1/session', { token: tokens.auditor });
    expect(viaToken.body).toEqual({ username: 'audrey', role: 'auditor', via: 'token' });
  });

  // Expected status of each role on each permission's probe endpoint (owner everything; security-admin
  // keys/identity; platform-engineer services; auditor read-only + logs).
  const MATRIX: [AdminRole, Record<string, number>][] = [
    ['owner', { read: 200, 'platform:write': 200, 'security:write': 200, 'logs:read': 200, 'admin:manage': 200 }],
    ['security-admin', { read: 200, 'platform:write': 403, 'security:write': 200, 'logs:read': 200, 'admin:manage': 403 }],
    ['platform-engineer', { read: 200, 'platform:write': 200, 'security:write': 403, 'logs:read': 403, 'admin:manage': 403 }],
    ['auditor', { read: 200, 'platform:write': 403, 'security:write': 403, 'logs:read': 200, 'admin:manage': 403 }],
  ];
  describe.each(MATRIX)('role %s', (role, expected) => {
    it.each(Object.entries(expected))('%s → %i', async (permission, status) => {
      const probe = PROBES.find((p) => p.access === permission);
      if (!probe) throw new Error(`no probe for ${permission}`);
      const r = await h.call(probe.method.toUpperCase(), probe.path, { token: tokens[role] });
      expect(r.status).toBe(status);
      if (status === 403) {
        expect(r.body.error).toMatchObject({ code: 'FORBIDDEN', details: { required: permission, role } });
        const last = (await auditRows(h.store)).at(-1);
        expect(last).toMatchObject({ actor: USERS[role], action: `${probe.method.toUpperCase()} ${probe.path}`, resource_type: 'endpoint', outcome: 'denied' });
        expect(JSON.parse(last?.after ?? '{}')).toEqual({ reason: 'PERMISSION', required: permission, role });
      } else {
        expect(r.body.actor).toEqual({ username: USERS[role], role, via: 'token' });
      }
    });
  });

  it('lets only owners manage admin users', async () => {
    expect((await h.call('GET', '/api/v1/admin-users', { token: tokens['security-admin'] })).status).toBe(403);
    const list = await h.call('GET', '/api/v1/admin-users', { token: tokens.owner });
    expect(list.status).toBe(200);
    expect(list.body.items.map((u: { username: string }) => u.username)).toEqual(['admin', 'audrey', 'pat', 'sam']);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|password/);
    const weak = await h.call('POST', '/api/v1/admin-users', { token: tokens.owner, body: { username: 'weak', password: 'short', role: 'auditor' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error.details.fields[0].path).toBe('body.password');
    expect((await h.call('POST', '/api/v1/admin-users', { token: tokens.owner, body: { username: 'sam', password: 'long-enough-password', role: 'auditor' } })).status).toBe(409);
  });

  it('manages personal access tokens: list without secrets, revoke, expire, no token minting tokens', async () => {
    const s = await h.login('pat', PASSWORDS['platform-engineer']);
    const created = await h.call('POST', '/api/v1/tokens', { ...s, body: { name: 'short-lived', expires_in_days: 1 } });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };
    secrets.push(token, s.csrf, s.cookie.split('=')[1] ?? '');
    expect(token).toMatch(/^agc_pat_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.body.expires_at) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    const row = await h.store.db.selectFrom('personal_access_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.sha256).toBe(sha256Hex(token));
    expect(JSON.stringify(row)).not.toContain(token);

    expect((await h.call('GET', '/api/v1/test/read', { token })).status).toBe(200);
    const mine = await h.call('GET', '/api/v1/tokens', { token });
    expect(mine.body.items.map((t: { id: string }) => t.id)).toContain(id);
    expect(JSON.stringify(mine.body)).not.toContain(token);
    expect(mine.body.items.every((t: Record<string, unknown>) => !('token' in t))).toBe(true);
    expect((await h.call('POST', '/api/v1/tokens', { token, body: { name: 'child' } })).status).toBe(403);

    // someone else's token is not found
    expect((await h.call('DELETE', `/api/v1/tokens/${id}`, { token: tokens.owner })).status).toBe(404);
    // expiry
    await h.store.db.updateTable('personal_access_tokens').set({ expires_at: Date.now() - 1 }).where('id', '=', id).execute();
    expect((await h.call('GET', '/api/v1/test/read', { token })).status).toBe(401);
    await h.store.db.updateTable('personal_access_tokens').set({ expires_at: Date.now() + 60_000 }).where('id', '=', id).execute();
    expect((await h.call('GET', '/api/v1/test/read', { token })).status).toBe(200);
    // revocation (with the session: needs CSRF)
    expect((await h.call('DELETE', `/api/v1/tokens/${id}`, { cookie: s.cookie })).status).toBe(403);
    expect((await h.call('DELETE', `/api/v1/tokens/${id}`, s)).status).toBe(204);
    expect((await h.call('GET', '/api/v1/test/read', { token })).status).toBe(401);
    expect((await h.call('DELETE', `/api/v1/tokens/${id}`, s)).status).toBe(404);
  });

  it('stops a disabled user’s sessions and tokens at once', async () => {
    const s = await h.login('audrey', PASSWORDS.auditor);
    secrets.push(s.csrf, s.cookie.split('=')[1] ?? '');
    expect((await h.call('GET', '/api/v1/test/read', { cookie: s.cookie })).status).toBe(200);
    const off = await h.call('PATCH', '/api/v1/admin-users/audrey', { ...owner, body: { disabled: true } });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ disabled: true, version: 2 });
    expect((await h.call('GET', '/api/v1/test/read', { cookie: s.cookie })).status).toBe(401);
    expect((await h.call('GET', '/api/v1/test/read', { token: tokens.auditor })).status).toBe(401);
    expect((await h.call('POST', '/api/v1/session', { body: { username: 'audrey', password: PASSWORDS.auditor } })).status).toBe(401);
    // a lost update is refused
    expect((await h.call('PATCH', '/api/v1/admin-users/audrey', { ...owner, headers: { 'if-match': '"v1"' }, body: { disabled: false } })).status).toBe(412);
    expect((await h.call('PATCH', '/api/v1/admin-users/audrey', { ...owner, headers: { 'if-match': '"v2"' }, body: { disabled: false } })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/test/read', { token: tokens.auditor })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/test/read', { cookie: s.cookie })).status).toBe(401); // its sessions were ended
  });

  it('keeps at least one enabled owner', async () => {
    for (const body of [{ role: 'auditor' }, { disabled: true }]) {
      const r = await h.call('PATCH', '/api/v1/admin-users/admin', { token: tokens.owner, body });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('CONFLICT');
    }
    expect((await h.call('DELETE', '/api/v1/admin-users/admin', { token: tokens.owner })).status).toBe(409);
    expect((await h.call('PATCH', '/api/v1/admin-users/sam', { token: tokens.owner, body: { role: 'owner' } })).status).toBe(200);
    expect((await h.call('PATCH', '/api/v1/admin-users/sam', { token: tokens.owner, body: { role: 'security-admin' } })).status).toBe(200);
    expect((await h.call('PATCH', '/api/v1/admin-users/nobody', { token: tokens.owner, body: { role: 'owner' } })).status).toBe(404);
    expect((await h.call('PATCH', '/api/v1/admin-users/sam', { token: tokens.owner, body: {} })).status).toBe(400);
  });

  it('changes a password: the old one stops working and the user’s sessions end', async () => {
    const s = await h.login('sam', PASSWORDS['security-admin']);
    const newPassword = 'a-brand-new-password-42';
    secrets.push(newPassword, s.csrf, s.cookie.split('=')[1] ?? '');
    expect((await h.call('PATCH', '/api/v1/admin-users/sam', { token: tokens.owner, body: { password: newPassword } })).status).toBe(200);
    expect((await h.call('GET', '/api/v1/test/read', { cookie: s.cookie })).status).toBe(401);
    expect((await h.call('POST', '/api/v1/session', { body: { username: 'sam', password: PASSWORDS['security-admin'] } })).status).toBe(401);
    await h.login('sam', newPassword);
    const ev = (await auditRows(h.store)).filter((e) => e.action === 'admin-user.update' && e.resource_id === 'sam').at(-1);
    expect(JSON.parse(ev?.after ?? '{}')).toMatchObject({ password_changed: true });
  });

  it('delegates sidecar endpoints to the sidecar verifier it was built with', async () => {
    expect((await h.call('GET', '/api/v1/test/sidecar', { token: 'sidecar-secret' })).status).toBe(401); // built without a verifier
    const withVerifier = await startHarness({ verifySidecar: async (req) => (req.headers.authorization === 'Bearer sidecar-secret' ? { service: 'orders' } : undefined) });
    try {
      const ok = await withVerifier.call('GET', '/api/v1/test/sidecar', { token: 'sidecar-secret' });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ actor: null, sidecar: { service: 'orders' } });
      const bad = await withVerifier.call('GET', '/api/v1/test/sidecar', { token: 'wrong' });
      expect(bad.status).toBe(401);
      expect((await auditRows(withVerifier.store)).at(-1)).toMatchObject({ actor: 'sidecar', outcome: 'denied', action: 'GET /api/v1/test/sidecar' });
      const s = await withVerifier.login('admin', OWNER_PASSWORD);
      const t = await withVerifier.call('POST', '/api/v1/tokens', { ...s, body: { name: 'not a sidecar' } });
      expect(t.status).toBe(201);
      secrets.push(s.csrf, s.cookie.split('=')[1] ?? '', t.body.token as string);
      expect((await withVerifier.call('GET', '/api/v1/test/sidecar', { token: t.body.token as string })).status).toBe(401); // an admin token is no sidecar credential
    } finally {
      await withVerifier.close();
    }
  });

  it('logs out: the session row is deleted and the cookie cleared', async () => {
    const s = await h.login('pat', PASSWORDS['platform-engineer']);
    secrets.push(s.csrf, s.cookie.split('=')[1] ?? '');
    expect((await h.call('DELETE', '/api/v1/session', { cookie: s.cookie })).status).toBe(403); // CSRF
    const r = await h.call('DELETE', '/api/v1/session', s);
    expect(r.status).toBe(204);
    expect(r.headers.get('set-cookie')).toMatch(/^agentcore_session=; HttpOnly; SameSite=Strict; Path=\/; Max-Age=0/);
    expect((await h.call('GET', '/api/v1/session', { cookie: s.cookie })).status).toBe(401);
    const id = s.cookie.split('=')[1] ?? '';
    expect(await h.store.db.selectFrom('admin_sessions').selectAll().where('id', '=', sha256Hex(id)).executeTakeFirst()).toBeUndefined();
  });

  it('describes its endpoints in the OpenAPI document, with examples', () => {
    const doc = openApiDocument(h.auth.endpoints, { version: 'test' }) as { paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>> };
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/admin-users', '/api/v1/admin-users/{username}', '/api/v1/session', '/api/v1/tokens', '/api/v1/tokens/{id}']);
    expect(doc.paths['/api/v1/session']?.post?.security).toEqual([]);
    expect(doc.paths['/api/v1/session']?.post?.responses['200']?.content?.['application/json']?.example).toBeDefined();
    expect(doc.paths['/api/v1/admin-users']?.get?.security).toEqual([{ sessionCookie: [] }, { bearerToken: [] }]);
  });

  it('audits logins, logouts, token and user changes as allowed', async () => {
    const actions = new Set((await auditRows(h.store)).filter((e) => e.outcome === 'allowed').map((e) => e.action));
    expect([...actions].sort()).toEqual(['admin-user.create', 'admin-user.update', 'session.create', 'session.delete', 'token.create', 'token.revoke']);
  });

  it('never writes passwords, hashes, tokens, session ids or CSRF tokens to the audit trail or the log', async () => {
    const audit = JSON.stringify(await auditRows(h.store));
    const logs = h.logLines.join('\n');
    expect(h.logLines.length).toBeGreaterThan(0);
    expect(audit).not.toContain('scrypt$');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(11);
      expect(audit).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
