// The shared brute-force throttle over real backends: SQLite, two replicas on one PostgreSQL, two on Redis.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { insertAdminUser } from '../store/admin-accounts-repo.js';
import { createDummyVerifier, hashPassword } from '../auth/password-hash.js';
import type { AdminError } from '../errors.js';
import { openStore, type Store } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { redisFailureLog, storeFailureLog } from './failure-logs.js';
import { guardedPasswordCheck } from './guarded-login.js';
import { createLocalVerifier } from './local-users.js';
import { createSharedLoginThrottle } from './shared-login-throttle.js';
import { LdapConfig } from './ldap-config.js';
import { createLdapProvider } from './ldap-provider.js';

const MIN = 60_000;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function sqliteStore(): Promise<Store> {
  const s = await openStore('sqlite::memory:');
  cleanups.push(() => s.close());
  return s;
}

describe('shared login throttle', () => {
  it('locks a username after 5 failures in the window, with the seconds until the oldest leaves it', async () => {
    const t = createSharedLoginThrottle(storeFailureLog(await sqliteStore()), { freeAttempts: 100 });
    for (let i = 0; i < 4; i++) await t.recordFailure('Alice', `10.0.0.${i}`, i * MIN);
    expect(await t.check('alice', '10.0.0.9', 4 * MIN)).toBeUndefined();
    await t.recordFailure('alice', '10.0.0.9', 4 * MIN);
    expect(await t.check('ALICE', '10.0.0.10', 5 * MIN)).toEqual({ by: 'username', retryAfterSeconds: 10 * 60 });
    expect(await t.check('bob', '10.0.0.10', 5 * MIN)).toBeUndefined();
    expect(await t.check('alice', '10.0.0.10', 15 * MIN)).toBeUndefined();
    await t.recordSuccess('alice');
  });

  it('delays grow with each failure after the free attempts, per username and per client', async () => {
    const t = createSharedLoginThrottle(storeFailureLog(await sqliteStore()), { freeAttempts: 2, baseDelayMs: 1000, maxDelayMs: 8000, maxPerUsername: 50, maxPerClient: 50 });
    const waits: (number | undefined)[] = [];
    for (let n = 1; n <= 6; n++) {
      await t.recordFailure('carol', '192.0.2.1', 0);
      waits.push((await t.check('carol', '198.51.100.1', 0))?.retryAfterSeconds);
    }
    expect(waits).toEqual([undefined, 1, 2, 4, 8, 8]);
    expect(await t.check('carol', '198.51.100.1', 8000)).toBeUndefined(); // the delay ran out
    expect((await t.check('dave', '192.0.2.1', 0))?.by).toBe('client');
  });

  it('two replicas on one PostgreSQL share the lockout', async () => {
    const db: TestDatabase = await createTestDatabase('postgres');
    const [a, b] = [await openStore(db.url), await openStore(db.url)];
    cleanups.push(() => db.drop(), () => a.close(), () => b.close());
    const opts = { maxPerUsername: 3, freeAttempts: 100 };
    const [ta, tb] = [createSharedLoginThrottle(storeFailureLog(a), opts), createSharedLoginThrottle(storeFailureLog(b), opts)];
    const now = Date.now();
    await ta.recordFailure('erin', '10.1.1.1', now);
    await tb.recordFailure('erin', '10.1.1.2', now);
    expect(await tb.check('erin', '10.1.1.3', now)).toBeUndefined();
    await ta.recordFailure('erin', '10.1.1.1', now);
    expect(await tb.check('erin', '10.1.1.3', now + 1000)).toEqual({ by: 'username', retryAfterSeconds: 15 * 60 - 1 });
    await tb.recordSuccess('erin');
    expect(await ta.check('erin', '10.1.1.3', now + 1000)).toBeUndefined();
  }, 30_000);

  it('two replicas on Redis share the lockout, and keys expire with the window', async () => {
    const prefix = `agentcore-test:${randomBytes(4).toString('hex')}:`;
    const [ra, rb] = [new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true }), new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true })];
    await Promise.all([ra.connect(), rb.connect()]);
    cleanups.push(() => ra.quit(), () => rb.quit());
    const opts = { maxPerUsername: 3, freeAttempts: 100, windowMs: 60_000 };
    const [ta, tb] = [createSharedLoginThrottle(redisFailureLog(ra, prefix), opts), createSharedLoginThrottle(redisFailureLog(rb, prefix), opts)];
    const now = Date.now();
    for (const t of [ta, tb, ta]) await t.recordFailure('frank', '10.2.2.2', now);
    expect(await tb.check('frank', '10.2.2.3', now + 1500)).toEqual({ by: 'username', retryAfterSeconds: 59 });
    const ttl = await ra.pttl(`${prefix}u:frank`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await ta.recordSuccess('frank');
    expect(await tb.check('frank', '10.2.2.3', now + 1500)).toBeUndefined();
  });

  it('an unknown user and a wrong password get the same answer, count the same, and take similar time', async () => {
    const store = await sqliteStore();
    await insertAdminUser(store, { username: 'grace', passwordHash: await hashPassword('grace-correct-password'), role: 'auditor' }, Date.now());
    const verifier = createLocalVerifier('local', store, { roles: { auditor: ['viewer'] }, adminRoles: {} }, await createDummyVerifier());
    const t = createSharedLoginThrottle(storeFailureLog(store), { maxPerUsername: 3, freeAttempts: 100 });
    const attempt = async (u: string, p: string): Promise<{ ms: number; err: AdminError | undefined }> => {
      const t0 = performance.now();
      try {
        await guardedPasswordCheck(t, verifier, u, p, '10.3.3.3', 1000);
        return { ms: performance.now() - t0, err: undefined };
      } catch (err) {
        return { ms: performance.now() - t0, err: err as AdminError };
      }
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const known: { ms: number; err: AdminError | undefined }[] = [];
    const unknown: { ms: number; err: AdminError | undefined }[] = [];
    for (let i = 0; i < 3; i++) {
      known.push(await attempt('grace', 'wrong-password'));
      unknown.push(await attempt('nobody-here', 'wrong-password'));
    }
    expect(known.map((r) => [r.err?.status, r.err?.message])).toEqual(unknown.map((r) => [r.err?.status, r.err?.message]));
    expect(known[0]?.err?.status).toBe(401);
    const ratio = median(known.map((r) => r.ms)) / median(unknown.map((r) => r.ms));
    expect(ratio).toBeGreaterThan(0.4); // both run one scrypt; margins are wide because the machine is shared
    expect(ratio).toBeLessThan(2.5);
    // both usernames are now locked alike, even with the right password
    for (const [u, p] of [['grace', 'grace-correct-password'], ['nobody-here', 'x']]) {
      const r = await attempt(u ?? '', p ?? '');
      expect(r.err?.status).toBe(429);
      expect(r.err?.headers?.['retry-after']).toBe('900');
    }
    // another user signs in and gets roles from the mapping
    await insertAdminUser(store, { username: 'heidi', passwordHash: await hashPassword('heidi-correct-password'), role: 'auditor' }, Date.now());
    const t2 = createSharedLoginThrottle(storeFailureLog(store));
    const user = await guardedPasswordCheck(t2, verifier, 'heidi', 'heidi-correct-password', '10.4.4.4', 1000);
    expect(user).toMatchObject({ username: 'heidi', roles: ['viewer'], adminRoles: ['auditor'], provider: 'local' });
  }, 30_000);

  it('a directory that is down answers 503 in time and does not count as a failed attempt', async () => {
    const t = createSharedLoginThrottle(storeFailureLog(await sqliteStore()), { maxPerUsername: 1 });
    // nothing listens on port 9 of 127.0.0.1 here: connection refused, like a stopped slapd
    const cfg = LdapConfig.parse({ url: 'ldaps://127.0.0.1:9', bindDn: 'cn=x', userBase: 'dc=x', connectTimeoutMs: 500, operationTimeoutMs: 500 });
    const ldap = createLdapProvider('down', cfg, 'pw');
    cleanups.push(() => ldap.close());
    const t0 = Date.now();
    const err = await guardedPasswordCheck(t, ldap, 'ivan', 'pw', '10.5.5.5', 0).catch((e: unknown) => e as AdminError);
    expect(err).toMatchObject({ status: 503, publicCode: 'SERVICE_UNAVAILABLE' });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await t.check('ivan', '10.5.5.5', 0)).toBeUndefined();
  });
});
