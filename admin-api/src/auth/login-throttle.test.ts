import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.js';

const MIN = 60_000;

describe('login throttle', () => {
  it('locks a username after 5 failures within 15 minutes, with the seconds until the oldest leaves the window', () => {
    const t = createLoginThrottle();
    for (let i = 0; i < 4; i++) t.recordFailure('Alice', `10.0.0.${i}`, i * MIN);
    expect(t.check('alice', '10.0.0.9', 4 * MIN)).toBeUndefined();
    t.recordFailure('alice', '10.0.0.9', 4 * MIN);
    expect(t.check('ALICE', '10.0.0.10', 5 * MIN)).toEqual({ by: 'username', retryAfterSeconds: 10 * 60 });
    expect(t.check('bob', '10.0.0.10', 5 * MIN)).toBeUndefined();
    expect(t.check('alice', '10.0.0.10', 15 * MIN)).toBeUndefined(); // the first failure left the window
  });

  it('locks a client address after maxPerClient failures across usernames', () => {
    const t = createLoginThrottle({ maxPerClient: 3 });
    for (const u of ['a', 'b', 'c']) t.recordFailure(u, '192.0.2.1', 0);
    expect(t.check('d', '192.0.2.1', 1000)).toEqual({ by: 'client', retryAfterSeconds: 15 * 60 - 1 });
    expect(t.check('d', '192.0.2.2', 1000)).toBeUndefined();
  });

  it('clears a username on success but keeps counting its client', () => {
    const t = createLoginThrottle({ maxPerUsername: 2, maxPerClient: 3 });
    t.recordFailure('a', 'c1', 0);
    t.recordFailure('a', 'c1', 0);
    expect(t.check('a', 'c2', 0)?.by).toBe('username');
    t.recordSuccess('a');
    expect(t.check('a', 'c2', 0)).toBeUndefined();
    t.recordFailure('a', 'c1', 0);
    expect(t.check('z', 'c1', 0)?.by).toBe('client');
  });

  it('forgets the least recently failing keys beyond maxKeys', () => {
    const t = createLoginThrottle({ maxPerUsername: 1, maxPerClient: 100, maxKeys: 3 });
    t.recordFailure('old', 'c', 0);
    t.recordFailure('new1', 'c', 1);
    t.recordFailure('new2', 'c', 2);
    expect(t.check('old', 'x', 3)).toBeUndefined();
    expect(t.check('new2', 'x', 3)?.by).toBe('username');
  });

  it.each([{ maxPerUsername: 0 }, { windowMs: -1 }, { maxKeys: 1.5 }])('refuses options %j at build time', (o) => {
    expect(() => createLoginThrottle(o)).toThrow(/positive integer/);
  });
});
