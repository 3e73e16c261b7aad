import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './credential-digest.js';
import type { AdminRole } from './admin-roles.js';
import { OWNER_PASSWORD, PROBES, USERS, auditRows, expectNoSecretsWritten, startHarness, startSeededHarness, type Harness, type SeededHarness } from './test-auth-harness.js';

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
  it('delays the try after 3 failures and locks after 5 for a username, even with the right password', async () => {
    let clock = Date.now();
    const h = await startHarness({ now: () => clock });
    const tryLogin = (password: string) => h.call('POST', '/api/v1/session', { body: { username: 'admin', password } });
    try {
      for (let i = 0; i < 3; i++) expect((await tryLogin(`wrong-password-${i}`)).status).toBe(401);
      const delayed = await tryLogin(OWNER_PASSWORD);
      expect([delayed.status, delayed.headers.get('retry-after')]).toEqual([429, '1']);
      clock += 1000;
      expect((await tryLogin('wrong-password-3')).status).toBe(401);
      expect((await tryLogin('wrong-password-x')).headers.get('retry-after')).toBe('2');
      clock += 2000;
      expect((await tryLogin('wrong-password-4')).status).toBe(401);
      clock += 5000; // past the delay, but 5 failures in the window lock the username
      const r = await tryLogin(OWNER_PASSWORD);
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(800);
      const reasons = (await auditRows(h.store)).filter((e) => e.outcome === 'denied').map((e) => JSON.parse(e.after ?? '{}').reason);
      expect(reasons).toEqual(['WRONG_PASSWORD', 'WRONG_PASSWORD', 'WRONG_PASSWORD', 'LOGIN_LOCKED', 'WRONG_PASSWORD', 'LOGIN_LOCKED', 'WRONG_PASSWORD', 'LOGIN_LOCKED']);
      const stored = await h.store.db.selectFrom('login_failures' as never).selectAll().execute();
      expect(stored.length).toBe(10); // per username and per client, in the store the replicas share
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
  let owner: SeededHarness['owner'];
  let tokens: SeededHarness['tokens'];
  let secrets: string[];

  beforeAll(async () => {
    ({ h, owner, tokens, secrets } = await startSeededHarness());
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
    expect(r.body).toMatchObject({ username: 'admin', role: 'owner', via: 'session', csrfToken: owner.csrf });
    expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);
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


  it('never writes passwords, hashes, tokens, session ids or CSRF tokens to the audit trail or the log', async () => {
    await expectNoSecretsWritten(h, secrets);
  });
});
