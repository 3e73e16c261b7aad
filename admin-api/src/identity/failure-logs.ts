/** The two FailureLog implementations: the store's login_failures table, and Redis sorted sets. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AdminError } from '../errors.js';
import { identityDb } from '../store/identity-tables.js';
import type { Queryable } from '../store/queryable.js';
import type { FailureLog } from './shared-login-throttle.js';

/** Failures in the store: one row per failure; rows older than the window are purged as keys are written. */
export function storeFailureLog(q: Queryable): FailureLog {
  return {
    async recent(key, since, limit) {
      const rows = await identityDb(q).selectFrom('login_failures').select('at').where('key', '=', key).where('at', '>', since).orderBy('at', 'desc').limit(limit).execute();
      return rows.map((r) => Number(r.at)).reverse();
    },
    async add(keys, at, windowMs) {
      const db = identityDb(q);
      await db.insertInto('login_failures').values(keys.map((key) => ({ key, at }))).execute();
      await db.deleteFrom('login_failures').where('key', 'in', [...keys]).where('at', '<=', at - windowMs).execute();
    },
    async clear(key) {
      await identityDb(q).deleteFrom('login_failures').where('key', '=', key).execute();
    },
  };
}

/** Failures in Redis: a sorted set per key (score = time), trimmed to the window and expiring with it. */
export function redisFailureLog(redis: Redis, prefix = 'agentcore:login-failures:'): FailureLog {
  return failClosed({
    async recent(key, since, limit) {
      const members = await redis.zrevrangebyscore(prefix + key, '+inf', `(${since}`, 'WITHSCORES', 'LIMIT', 0, limit);
      const times: number[] = [];
      for (let i = 1; i < members.length; i += 2) times.push(Number(members[i]));
      return times.reverse();
    },
    async add(keys, at, windowMs) {
      const m = redis.multi();
      for (const key of keys) {
        m.zadd(prefix + key, at, `${at}:${randomBytes(6).toString('hex')}`);
        m.zremrangebyscore(prefix + key, '-inf', at - windowMs);
        m.zremrangebyrank(prefix + key, 0, -1001); // at most 1000 entries per key
        m.pexpire(prefix + key, windowMs);
      }
      const r = await m.exec();
      const failed = r?.find(([err]) => err);
      if (failed?.[0]) throw failed[0];
    },
    async clear(key) {
      await redis.del(prefix + key);
    },
  });
}

/** Redis down or slow: the login answers 503 (no sign-in is allowed without the brute-force check). */
function failClosed(log: FailureLog): FailureLog {
  const guard = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      throw new AdminError('ADMIN_THROTTLE_UNAVAILABLE', undefined, {}, { cause: err });
    });
  return { recent: (...a) => guard(log.recent(...a)), add: (...a) => guard(log.add(...a)), clear: (...a) => guard(log.clear(...a)) };
}

/** The failure log of `--redis` (a Redis URL) or, without it, of the store; close() ends the Redis connection. */
export function openFailureLog(q: Queryable, redisUrl: string | undefined): { log: FailureLog; close(): Promise<void> } {
  if (!redisUrl) return { log: storeFailureLog(q), close: async () => undefined };
  const redis = new Redis(redisUrl, { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 2000, retryStrategy: (n) => Math.min(n * 200, 2000) });
  redis.on('error', () => undefined); // a down Redis answers 503 per login (failClosed); reconnects by itself
  return { log: redisFailureLog(redis), close: async () => void (await redis.quit().catch(() => redis.disconnect())) };
}
