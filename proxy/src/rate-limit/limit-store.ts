/**
 * The rate-limit store of the process: local counters, or Redis (`--redis`) with the local counters as its
 * fallback while Redis is down (`--redis-fallback`). Waits up to a second at start so the first requests use Redis.
 */
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config.js';
import type { ProxyMetrics } from '../record/metrics.js';
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limiter.js';

/** The store and how to close it. */
export interface LimitStore {
  store: RateLimitStore;
  close(): Promise<void>;
}

/** Builds the store for `service` (the Redis key prefix). */
export async function openLimitStore(config: ProxyConfig, service: string, log: Logger, metrics: ProxyMetrics): Promise<LimitStore> {
  const local = new MemoryRateLimitStore(config.rateLimitMaxKeys);
  if (!config.redis) return { store: local, close: async () => undefined };
  // ioredis is loaded only with --redis (issue #16: RSS per idle worker)
  const { RedisRateLimitStore } = await import('./rate-limit-store-redis.js');
  const redis = new RedisRateLimitStore({
    url: config.redis,
    keyPrefix: `agentcore:rl:${service}:`,
    commandTimeoutMs: config.redisTimeoutMs,
    fallback: config.redisFallback,
    local,
    log,
    onModeChange: (mode, reason) => {
      metrics.rateLimitStoreUp.set(mode === 'redis' ? 1 : 0);
      if (mode === 'fallback') metrics.rateLimitFallbacks.inc();
      log.warn({ mode, reason, fallback: config.redisFallback }, mode === 'redis' ? 'rate limits back on Redis' : 'Redis unavailable: rate-limit fallback applies');
    },
  });
  // Never long: the fallback covers an outage.
  await redis.ready(1000).then(
    () => metrics.rateLimitStoreUp.set(1),
    (e: Error) => {
      metrics.rateLimitStoreUp.set(0);
      log.warn({ err: e.message, fallback: config.redisFallback }, 'Redis not reachable at start; the fallback applies until it is');
    },
  );
  return { store: redis, close: () => redis.close() };
}
