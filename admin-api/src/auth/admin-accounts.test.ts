import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from './credential-digest.js';
import { openApiDocument } from '../http/openapi.js';
import { OWNER_PASSWORD, PASSWORDS, auditRows, expectNoSecretsWritten, startHarness, startSeededHarness, type Harness, type SeededHarness } from './test-auth-harness.js';

describe('admin accounts over HTTP', { timeout: 60_000 }, () => {
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
    const created = await h.call('POST', '/api/v1/tokens', { ...s, body: { name: 'short-lived', expiresInDays: 1 } });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };
    secrets.push(token, s.csrf, s.cookie.split('=')[1] ?? '');
    expect(token).toMatch(/^agc_pat_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
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
    expect(JSON.parse(ev?.after ?? '{}')).toMatchObject({ passwordChanged: true });
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
    await expectNoSecretsWritten(h, secrets);
  });
});
