// Brute-force protection through startAdmin as deployed: two replicas on one PostgreSQL share the lockout (the
// store's login_failures), two replicas on separate databases share it through --redis, and a Redis that is down
// answers 503 quickly instead of skipping the check.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startAdmin, type AdminHandle } from '../server.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';

const PASSWORD = 'owner-password-for-throttle';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function start(database: string, extra: string[] = []): Promise<AdminHandle> {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', database, '--log-level', 'silent', ...extra], {});
  if (!c.ok) throw new Error(c.help ? 'help' : c.errors.join('; '));
  const a = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
  cleanups.push(() => a.close());
  return a;
}

const login = (a: AdminHandle, username: string, password: string) =>
  fetch(`${a.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

async function db(dialect: 'sqlite' | 'postgres'): Promise<string> {
  const d: TestDatabase = await createTestDatabase(dialect);
  cleanups.push(() => d.drop());
  return d.url;
}

/** 3 failures on `a` (a random unknown user: counted like a real one), then `b` must delay the next try. */
async function expectShared(a: AdminHandle, b: AdminHandle): Promise<void> {
  const user = `u${randomBytes(6).toString('hex')}`;
  for (let i = 0; i < 3; i++) expect((await login(a, user, `wrong-${i}`)).status).toBe(401);
  const r = await login(b, user, 'wrong-3');
  expect(r.status).toBe(429);
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('login throttle across replicas (startAdmin)', { timeout: 60_000 }, () => {
  it('two replicas on one PostgreSQL share it through the store', async () => {
    const url = await db('postgres');
    const a = await start(url);
    const b = await start(url);
    await expectShared(a, b);
  });

  it('two replicas on separate databases share it through --redis', async () => {
    // the client key of 127.0.0.1 outlives earlier runs in the shared Redis (15 min window): start clean
    const redis = new Redis('redis://127.0.0.1:6379');
    await redis.del('agentcore:login-failures:c:127.0.0.1');
    await redis.quit();
    const a = await start(await db('sqlite'), ['--redis', 'redis://127.0.0.1:6379']);
    const b = await start(await db('sqlite'), ['--redis', 'redis://127.0.0.1:6379']);
    await expectShared(a, b);
  });

  it('a Redis that is down answers 503 within seconds, never a sign-in without the check', async () => {
    const a = await start(await db('sqlite'), ['--redis', 'redis://127.0.0.1:1']);
    const t0 = Date.now();
    const r = await login(a, 'admin', PASSWORD);
    expect(r.status).toBe(503);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(Date.now() - t0).toBeLessThan(6000);
  });

  it('refuses a --redis that is not a Redis URL', () => {
    const c = loadConfig(['--redis', 'http://127.0.0.1:6379'], {});
    expect(c.ok).toBe(false);
  });
});
