/**
 * Lockout after repeated failed logins: a sliding window of failures per username and per client
 * address. While a key has `max` failures inside the window every login for it answers 429, even with
 * the right password; the lock lifts when the oldest failure leaves the window.
 *
 * In memory, per process: a restart forgets the failures and each replica counts its own. That bounds
 * online guessing to `max` tries per window per replica, which is the point; a shared store would be
 * needed for a hard global limit.
 */

export interface LoginThrottleOptions {
  /** failures of one username before it is locked (default 5) */
  maxPerUsername?: number;
  /** failures from one client address, across usernames, before it is locked (default 20: password spraying) */
  maxPerClient?: number;
  /** window length in ms (default 15 min) */
  windowMs?: number;
  /** keys tracked at most; beyond it the oldest are forgotten (default 10 000) */
  maxKeys?: number;
}

/** Locked: retry after this many seconds. */
export interface Lockout {
  retryAfterSeconds: number;
  by: 'username' | 'client';
}

export interface LoginThrottle {
  /** The lockout in force for this username or client, if any. */
  check(username: string, client: string, now: number): Lockout | undefined;
  recordFailure(username: string, client: string, now: number): void;
  /** A successful login clears the username's failures (not the client's). */
  recordSuccess(username: string): void;
}

/** Creates an in-memory login throttle; options are checked here, at start-up. */
export function createLoginThrottle(o: LoginThrottleOptions = {}): LoginThrottle {
  const maxUser = o.maxPerUsername ?? 5;
  const maxClient = o.maxPerClient ?? 20;
  const windowMs = o.windowMs ?? 15 * 60_000;
  const maxKeys = o.maxKeys ?? 10_000;
  for (const [name, v] of Object.entries({ maxPerUsername: maxUser, maxPerClient: maxClient, windowMs, maxKeys })) {
    if (!Number.isSafeInteger(v) || v < 1) throw new Error(`login throttle: ${name} must be a positive integer, got ${v}`);
  }
  /** failure times, oldest first, keyed `u:<username>` / `c:<address>` */
  const failures = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const times = failures.get(key);
    if (!times) return [];
    while (times.length > 0 && (times[0] ?? 0) <= now - windowMs) times.shift();
    if (times.length === 0) failures.delete(key);
    return times;
  };
  const lockout = (key: string, max: number, now: number): number | undefined => {
    const times = recent(key, now);
    const oldest = times[times.length - max];
    return times.length >= max && oldest !== undefined ? Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)) : undefined;
  };
  const add = (key: string, now: number): void => {
    const times = recent(key, now);
    times.push(now);
    failures.delete(key); // re-insert: Map order becomes "least recently failed first"
    failures.set(key, times);
    while (failures.size > maxKeys) {
      const first = failures.keys().next();
      if (first.done) break;
      failures.delete(first.value);
    }
  };
  const userKey = (u: string) => `u:${u.toLowerCase()}`;

  return {
    check(username, client, now) {
      const u = lockout(userKey(username), maxUser, now);
      if (u !== undefined) return { retryAfterSeconds: u, by: 'username' };
      const c = lockout(`c:${client}`, maxClient, now);
      return c === undefined ? undefined : { retryAfterSeconds: c, by: 'client' };
    },
    recordFailure(username, client, now) {
      add(userKey(username), now);
      add(`c:${client}`, now);
    },
    recordSuccess(username) {
      failures.delete(userKey(username));
    },
  };
}
