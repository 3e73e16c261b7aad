/**
 * Brute-force protection shared by every replica: the failures live in the store (table
 * login_failures) or in Redis, keyed per username (case-folded) and per client address. Same rules
 * as the in-memory `auth/login-throttle.ts`, plus increasing delays:
 *  - lockout: `max` failures inside the window lock the key until the oldest of them leaves it;
 *  - delay: from the `freeAttempts`-th failure on, the next try must wait base·2^(n−free) (capped).
 * A key is counted whether or not the username exists, so answers and timing do not reveal accounts.
 * The methods are async versions of LoginThrottle's (check / recordFailure / recordSuccess).
 */
import type { Lockout } from '../auth/login-throttle.js';

/** Where failure times are kept; the store and Redis implement it. */
export interface FailureLog {
  /** failure times of `key` after `since`, oldest first (at most `limit`, the newest ones) */
  recent(key: string, since: number, limit: number): Promise<number[]>;
  add(keys: readonly string[], at: number, windowMs: number): Promise<void>;
  clear(key: string): Promise<void>;
}

export interface SharedThrottleOptions {
  maxPerUsername?: number;
  maxPerClient?: number;
  windowMs?: number;
  /** failures of a key before delays start (default 3) */
  freeAttempts?: number;
  /** first delay (default 1 s), doubling per further failure */
  baseDelayMs?: number;
  /** longest delay (default 60 s) */
  maxDelayMs?: number;
}

/** The async throttle; `check` answers the lockout or delay in force. */
export interface SharedLoginThrottle {
  check(username: string, client: string, now: number): Promise<Lockout | undefined>;
  recordFailure(username: string, client: string, now: number): Promise<void>;
  recordSuccess(username: string): Promise<void>;
}

/** Creates the shared throttle over a failure log; options are checked here. */
export function createSharedLoginThrottle(log: FailureLog, o: SharedThrottleOptions = {}): SharedLoginThrottle {
  const opts = { maxPerUsername: o.maxPerUsername ?? 5, maxPerClient: o.maxPerClient ?? 20, windowMs: o.windowMs ?? 15 * 60_000, freeAttempts: o.freeAttempts ?? 3, baseDelayMs: o.baseDelayMs ?? 1000, maxDelayMs: o.maxDelayMs ?? 60_000 };
  for (const [name, v] of Object.entries(opts)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`login throttle: ${name} must be a positive integer, got ${v}`);
  }
  const userKey = (u: string) => `u:${u.normalize('NFC').toLowerCase()}`;
  const clientKey = (c: string) => `c:${c}`;

  /** Milliseconds until `key` may try again (0 = now). */
  const waitFor = async (key: string, max: number, now: number): Promise<number> => {
    const times = await log.recent(key, now - opts.windowMs, max);
    if (times.length === 0) return 0;
    const locked = times.length >= max ? (times[times.length - max] ?? now) + opts.windowMs - now : 0;
    const extra = times.length - opts.freeAttempts;
    const delay = extra >= 0 ? Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** extra) : 0;
    const delayed = (times[times.length - 1] ?? now) + delay - now;
    return Math.max(0, locked, delayed);
  };

  return {
    async check(username, client, now) {
      const [u, c] = await Promise.all([waitFor(userKey(username), opts.maxPerUsername, now), waitFor(clientKey(client), opts.maxPerClient, now)]);
      if (u > 0) return { by: 'username', retryAfterSeconds: Math.max(1, Math.ceil(u / 1000)) };
      if (c > 0) return { by: 'client', retryAfterSeconds: Math.max(1, Math.ceil(c / 1000)) };
      return undefined;
    },
    recordFailure: (username, client, now) => log.add([userKey(username), clientKey(client)], now, opts.windowMs),
    recordSuccess: (username) => log.clear(userKey(username)),
  };
}
