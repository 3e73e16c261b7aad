/** Edge cases of the auth module not reached through the HTTP suites: odd stored hashes, the denial recorder's failure path, client address and path fallbacks, bootstrap refusals. */
import type { Request } from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { clientAddress, createDenialRecorder, requestPath, sessionCookie, setResolvedCredential, unauthenticated } from './auth-context.js';
import { createAuth } from './index.js';
import { verifyPassword } from './password-hash.js';

const salt = Buffer.alloc(16, 1).toString('base64url');
const key = Buffer.alloc(32, 2).toString('base64url');

describe('stored password hashes out of bounds', () => {
  it.each([
    [`scrypt$32768$0$1$${salt}$${key}`, 'r below 1'],
    [`scrypt$32768$33$1$${salt}$${key}`, 'r above 32'],
    [`scrypt$32768$8$0$${salt}$${key}`, 'p below 1'],
    [`scrypt$32768$8$17$${salt}$${key}`, 'p above 16'],
    [`scrypt$1$8$1$${salt}$${key}`, 'N below 2'],
    [`scrypt$32768.5$8$1$${salt}$${key}`, 'N not an integer'],
    [`scrypt$32768$8$1$AAAA$${key}`, 'a salt under 8 bytes'],
    [`scrypt$32768$8$1$${salt}$AAAA`, 'a key under 16 bytes'],
    [`scrypt$32768$8$1$${salt}`, 'five parts'],
  ])('%s (%s) never verifies', async (stored) => {
    expect(await verifyPassword('whatever', stored)).toBe(false);
  });
});

describe('auth context helpers', () => {
  it('takes the client address from req.ip, then the socket, then "unknown"', () => {
    expect(clientAddress({ ip: '10.0.0.1', socket: { remoteAddress: '10.0.0.2' } } as unknown as Request)).toBe('10.0.0.1');
    expect(clientAddress({ ip: undefined, socket: { remoteAddress: '10.0.0.2' } } as unknown as Request)).toBe('10.0.0.2');
    expect(clientAddress({ ip: undefined, socket: {} } as unknown as Request)).toBe('unknown');
  });

  it('takes the path without its query', () => {
    expect(requestPath({ originalUrl: '/api/v1/x?token=secret', path: '/api/v1/x' } as unknown as Request)).toBe('/api/v1/x');
  });

  it('challenges without an error attribute when no credential was sent, with invalid_token otherwise', () => {
    const none = unauthenticated('log in', false);
    const bad = unauthenticated('bad token', true);
    expect(none.code).toBe('ADMIN_AUTH_REQUIRED');
    expect(bad.code).toBe('ADMIN_AUTH_INVALID');
    expect(JSON.stringify(bad)).not.toBe(JSON.stringify(none));
  });

  it('a denial the audit trail cannot store is logged as an error, never thrown', async () => {
    const store = await openStore('sqlite::memory:');
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
    await store.close();
    const record = createDenialRecorder(store, log, () => Date.now());
    await expect(record({ actor: 'anonymous', action: 'GET /x', path: '/x', reason: 'NO_CREDENTIAL' })).resolves.toBeUndefined();
    expect(lines.map((l) => l.msg)).toEqual(['admin API access denied', 'could not record a denied attempt in the audit trail']);
  });
});

describe('cookies, locals and bootstrap', () => {
  it('marks the session cookie Secure only when asked; no response, nothing stored', () => {
    expect(sessionCookie('v', 60, true)).toContain('; Secure');
    expect(sessionCookie('v', 0, false)).not.toContain('Secure');
    expect(() => setResolvedCredential(undefined, { via: 'token', tokenId: 't' })).not.toThrow();
  });

  it('two replicas bootstrapping at once create one owner; a bad session TTL is refused at start', async () => {
    const store = await openStore('sqlite::memory:');
    const log = pino({ level: 'silent' });
    const a = await createAuth(store, { log, secureCookies: false });
    const b = await createAuth(store, { log, secureCookies: false });
    const both = await Promise.all([a.bootstrapOwner('owner-password-1234'), b.bootstrapOwner('owner-password-1234')]);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    await expect(createAuth(store, { log, secureCookies: false, sessionTtlMs: 10 })).rejects.toThrow(/sessionTtlMs/);
    await store.close();
  });

  it('a store failure during bootstrap is thrown, not taken for a race', async () => {
    const store = await openStore('sqlite::memory:');
    const auth = await createAuth(store, { log: pino({ level: 'silent' }), secureCookies: false });
    await store.close();
    await expect(auth.bootstrapOwner('owner-password-1234')).rejects.toThrow();
  });
});

describe('login throttle windows and memory bound', () => {
  it('forgets failures once the window passed, and the least recently failed keys beyond maxKeys', async () => {
    const { createLoginThrottle } = await import('./login-throttle.js');
    const t = createLoginThrottle({ maxPerUsername: 2, maxPerClient: 100, windowMs: 1000, maxKeys: 2 });
    t.recordFailure('alice', '10.0.0.1', 0);
    t.recordFailure('alice', '10.0.0.1', 10);
    expect(t.check('alice', '10.0.0.1', 20)).toEqual({ retryAfterSeconds: 1, by: 'username' });
    expect(t.check('alice', '10.0.0.1', 1500)).toBeUndefined(); // the window passed: the key is dropped
    t.recordFailure('bob', '10.0.0.2', 2000);
    t.recordFailure('bob', '10.0.0.2', 2001); // four keys over time, two kept: bob's and 10.0.0.2's
    t.recordFailure('carol', '10.0.0.3', 2002);
    expect(t.check('bob', '10.0.0.9', 2003)).toBeUndefined(); // bob's failures were evicted by carol's keys
  });
});

describe('session cookie parsing by the guard', () => {
  it('a Cookie header without our cookie is no credential (401 without invalid_token); a malformed one is invalid', async () => {
    const { startHarness } = await import('./test-auth-harness.js');
    const h = await startHarness();
    try {
      const none = await h.call('GET', '/api/v1/test/authenticated', { headers: { cookie: 'theme=dark; lang=en' } });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).not.toContain('invalid_token');
      const { SESSION_COOKIE } = await import('./auth-context.js');
      const bad = await h.call('GET', '/api/v1/test/authenticated', { headers: { cookie: `theme=dark; ${SESSION_COOKIE}=not-a-session-id` } });
      expect(bad.status).toBe(401);
    } finally {
      await h.close();
    }
  });
});

describe('log out with a token', () => {
  it('DELETE /api/v1/session authenticated by a token (no session) is refused, the token stays valid', async () => {
    const { startHarness, OWNER_PASSWORD } = await import('./test-auth-harness.js');
    const h = await startHarness();
    try {
      const s = await h.login('admin', OWNER_PASSWORD);
      const minted = await h.call('POST', '/api/v1/tokens', { cookie: s.cookie, csrf: s.csrf, body: { name: 'edge' } });
      expect(minted.status).toBe(201);
      const token = (minted.body as { token: string }).token;
      const out = await h.call('DELETE', '/api/v1/session', { token });
      expect(out.status).toBeGreaterThanOrEqual(400);
      expect(out.status).toBeLessThan(500);
      expect((await h.call('GET', '/api/v1/test/authenticated', { token })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
