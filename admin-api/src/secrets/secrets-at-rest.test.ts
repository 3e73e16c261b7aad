// Secrets at rest through startAdmin on SQLite and PostgreSQL: signing keys written in clear are encrypted once a
// key is configured, the database dump (sqlite3 .dump / pg_dump) holds no private key nor client secret, bundles are
// still signed, and a restart without the key (or with another one) fails with a message saying what to set.
import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startAdmin, type AdminHandle } from '../server.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../store/test-databases.js';

const PASSWORD = 'owner-password-for-secrets';
const CLIENT_SECRET = `oidc-client-secret-${randomBytes(8).toString('hex')}`;
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.drop();
});

async function start(url: string, key?: string): Promise<AdminHandle> {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', url, '--log-level', 'silent'], {});
  if (!c.ok) throw new Error('bad config');
  return startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD, ...(key ? { AGENTCORE_SECRET_KEY: key } : {}) }, logDestination: quiet() });
}

async function session(a: AdminHandle): Promise<(method: string, path: string, body?: unknown) => Promise<Response>> {
  const r = await fetch(`${a.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
  return (method, path, body) =>
    fetch(`${a.url}${path}`, { method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
}

function dumpOf(url: string): string {
  if (url.startsWith('sqlite:')) return execFileSync('sqlite3', [url.slice('sqlite:'.length), '.dump'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return execFileSync('pg_dump', ['--data-only', url], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

async function oauthKeys(a: AdminHandle): Promise<{ kid: string; private_jwk: string }[]> {
  return (await sql<{ kid: string; private_jwk: string }>`select kid, private_jwk from oauth_signing_keys`.execute(a.store.db)).rows;
}

async function privateD(a: AdminHandle): Promise<{ kid: string; stored: string }[]> {
  const rows = await a.store.db.selectFrom('signing_keys').select(['kid', 'private_jwk']).execute();
  return rows.map((r) => ({ kid: r.kid, stored: r.private_jwk }));
}

describe.each(DIALECTS)('secrets at rest through startAdmin (%s)', (dialect) => {
  it('encrypts clear signing keys at start, leaves no secret in a dump, and refuses to start without the key', { timeout: 90_000 }, async () => {
    const db = await createTestDatabase(dialect);
    dbs.push(db);
    const clearStart = await start(db.url);
    const [clear] = await privateD(clearStart);
    const [oauthClear] = await oauthKeys(clearStart);
    await clearStart.close();
    expect(oauthClear?.private_jwk).toMatch(/"d":"/); // the OAuth token signing key, in clear too
    const d = (JSON.parse(clear?.stored ?? '{}') as { d?: string }).d ?? '';
    expect(d.length).toBeGreaterThan(20); // written in clear before a key existed

    const key = randomBytes(32).toString('base64');
    const a = await start(db.url, key);
    try {
      const stored = await privateD(a);
      expect(stored.map((r) => r.stored.slice(0, 10))).toEqual(['agcenc:v1:']);
      // the OAuth token signing key is encrypted at start and still signs (its kid stays published)
      expect((await oauthKeys(a)).map((r) => [r.kid, r.private_jwk.slice(0, 10)])).toEqual([[oauthClear?.kid, 'agcenc:v1:']]);
      expect(await (await fetch(`${a.url}/.well-known/jwks.json`)).text()).toContain(oauthClear?.kid ?? 'none');
      const call = await session(a);
      const idp = { id: 'corp-sso', type: 'oidc', displayName: 'Corp', config: { issuer: 'https://idp.example.test', clientId: 'gw', clientSecret: CLIENT_SECRET } };
      expect((await call('POST', '/api/v1/identity-providers', idp)).status).toBe(201);
      expect((await call('POST', '/api/v1/services', { name: 'orders' })).status).toBe(201);
      // the publisher signs with the decrypted key: a revision appears
      let revisions = 0;
      for (let i = 0; i < 100 && revisions === 0; i++) {
        revisions = (((await (await call('GET', '/api/v1/services/orders/revisions')).json()) as { items?: unknown[] }).items ?? []).length;
        if (revisions === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(revisions).toBe(1);
      expect((await (await fetch(`${a.url}/api/v1/sidecar/jwks`)).text())).toContain(clear?.kid ?? 'none');
    } finally {
      await a.close();
    }

    const dump = dumpOf(db.url);
    expect(dump).toContain('agcenc:v1:');
    expect(dump).toContain(clear?.kid ?? 'none');
    expect(dump).not.toContain(d);
    expect(dump).not.toContain(CLIENT_SECRET);
    expect(dump).not.toMatch(/"d":"/);

    await expect(start(db.url)).rejects.toThrow(/encrypted secret\(s\) in identity_providers\.secret but no secret key is configured: set AGENTCORE_SECRET_KEY/);
    await expect(start(db.url, randomBytes(32).toString('base64'))).rejects.toThrow(/not configured/);
    const again = await start(db.url, key);
    await again.close();
  });
});
