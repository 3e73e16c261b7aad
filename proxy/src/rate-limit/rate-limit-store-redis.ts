/**
 * Rate-limit counters shared by every sidecar of a service, in Redis: one Lua script per request decides all of
 * its checks atomically on the server clock (see `rate-limit-redis-script.ts` and docs/rate-limiting.md).
 * Redis is never waited on for longer than `commandTimeoutMs`: when it fails or is slow the store switches to its
 * fallback (`local` counters, `open` or `closed`) and switches back by itself once Redis answers again.
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { quotaWindow, rateLimitKey, type LimitDecision, type RateLimitSubject } from '@agentcore/policies';
import { ProxyError } from '../errors.js';
import { ARGS_PER_CHECK, RATE_LIMIT_LUA } from './rate-limit-redis-script.js';
import type { CompiledLimit, RateLimitOutcome, RateLimitStore } from './rate-limiter.js';
import { checkLimit, fallbackOutcome, prepare, rateLimitOutcome } from './redis-outcome.js';

export { fallbackOutcome, rateLimitOutcome } from './redis-outcome.js';

/** What a check gets while Redis is unavailable: per-process counters, allow all, or deny all. */
export type RedisFallback = 'local' | 'open' | 'closed';

export interface RedisRateLimitOptions {
  /** `redis://[user:pass@]host:port[/db]` or `rediss://…` */
  url: string;
  /** prepended to every counter key, e.g. `agentcore:rl:${service}:` — one namespace per service */
  keyPrefix: string;
  /** longest wait for Redis per decision, ms (default 50 here; the CLI's `--redis-timeout-ms` defaults to 100) */
  commandTimeoutMs?: number;
  /** default `local` */
  fallback?: RedisFallback;
  /** the per-process store used by the `local` fallback */
  local: RateLimitStore;
  /** whose clock decides: the Redis server's (default; all sidecars agree) or the `now` passed to `check` (tests) */
  clock?: 'redis' | 'caller';
  /** how often to probe Redis while in fallback on a connection that is still open, ms (default 1000) */
  probeIntervalMs?: number;
  /** called on every switch between Redis and the fallback */
  onModeChange?(mode: 'redis' | 'fallback', reason: string): void;
  log?: Logger;
}

/** The script as an ioredis custom command (EVALSHA, with EVAL on NOSCRIPT). */
interface ScriptClient {
  agentcoreRateLimit(numKeys: number, ...args: string[]): Promise<number[]>;
}

const FALLBACKS: readonly RedisFallback[] = ['local', 'open', 'closed'];
const RECONNECT_MAX_DELAY_MS = 1000;

function validate(o: RedisRateLimitOptions): void {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch (cause) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--redis must be a URL like redis://host:6379, got ${JSON.stringify(o.url)}`, { cause });
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--redis must use redis:// or rediss://, got ${url.protocol}`);
  }
  const t = o.commandTimeoutMs;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 60_000)) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--redis-timeout-ms must be an integer from 1 to 60000, got ${String(t)}`);
  }
  if (o.fallback !== undefined && !FALLBACKS.includes(o.fallback)) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--redis-fallback must be one of ${FALLBACKS.join(', ')}, got ${String(o.fallback)}`);
  }
}

/**
 * Counters in Redis, shared across sidecars. `check` answers from Redis while `mode` is `redis`; on an error or a
 * timeout it switches to `fallback` (logged once, `onModeChange`), answers that request and the following ones
 * from the fallback, and switches back when the connection is ready again (ioredis `ready`, or a probe PING on a
 * connection that stayed open but was slow).
 */
export class RedisRateLimitStore implements RateLimitStore {
  private currentMode: 'redis' | 'fallback' = 'fallback';
  /** a switch to fallback has been reported since the last switch to redis (or since start) */
  private fallbackReported = false;
  private readonly client: Redis;
  private readonly script: ScriptClient;
  private readonly fallback: RedisFallback;
  private readonly prefix: string;
  private readonly useRedisClock: boolean;
  private readonly timeoutMs: number;
  private readonly probeIntervalMs: number;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private closed = false;
  private lastError = '';
  private month = { start: 0, end: 0 };

  constructor(private readonly o: RedisRateLimitOptions) {
    validate(o);
    this.fallback = o.fallback ?? 'local';
    this.prefix = o.keyPrefix;
    this.useRedisClock = (o.clock ?? 'redis') === 'redis';
    this.timeoutMs = o.commandTimeoutMs ?? 50;
    this.probeIntervalMs = o.probeIntervalMs ?? 1000;
    this.client = new Redis(o.url, {
      lazyConnect: true,
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: this.timeoutMs,
      connectTimeout: Math.max(1000, this.timeoutMs),
      // Reconnect forever, 50 ms, 100 ms, … at most 1 s apart: Redis is back within a second of returning.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), RECONNECT_MAX_DELAY_MS),
    });
    this.client.defineCommand('agentcoreRateLimit', { lua: RATE_LIMIT_LUA });
    this.script = this.client as unknown as ScriptClient;
    this.client.on('ready', () => this.toRedis('connected'));
    this.client.on('error', (err: Error) => {
      this.lastError = err.message;
    });
    this.client.on('close', () => this.toFallback(`connection closed${this.lastError ? `: ${this.lastError}` : ''}`));
    this.client.connect().catch(() => {
      // reported by the 'error' / 'close' handlers; ioredis keeps reconnecting
    });
  }

  /** `redis` while decisions come from Redis, `fallback` while the fallback answers. */
  get mode(): 'redis' | 'fallback' {
    return this.currentMode;
  }

  /** Resolves once Redis is connected; rejects with `PROXY_REDIS_UNAVAILABLE` after `timeoutMs` (the store works meanwhile, on its fallback). */
  ready(timeoutMs = 5000): Promise<void> {
    if (this.currentMode === 'redis') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        reject(new ProxyError('PROXY_REDIS_UNAVAILABLE', `Redis at ${redactUrl(this.o.url)} not ready after ${timeoutMs} ms${this.lastError ? `: ${this.lastError}` : ''}`));
      }, timeoutMs);
      this.client.once('ready', onReady);
    });
  }

  check(limits: readonly CompiledLimit[], subject: RateLimitSubject, now: number): RateLimitOutcome | Promise<RateLimitOutcome> {
    if (this.currentMode !== 'redis') return this.fallbackCheck(limits, subject, now);
    const keys: string[] = [];
    const argv: string[] = [this.useRedisClock ? '' : String(now)];
    for (const l of limits) {
      const p = prepare(l);
      const base = this.prefix + rateLimitKey(l.limit, subject);
      for (let i = 0; i < p.suffixes.length; i++) {
        keys.push(base + p.suffixes[i]!);
        const j = i * ARGS_PER_CHECK;
        const kind = p.argv[j]!;
        if (kind === 'm') {
          const m = this.monthWindow(now);
          argv.push(kind, p.argv[j + 1]!, String(m.start), String(m.end));
        } else {
          argv.push(kind, p.argv[j + 1]!, p.argv[j + 2]!, p.argv[j + 3]!);
        }
      }
    }
    if (keys.length === 0) return { allowed: true, denied: undefined, deniedDecision: undefined, header: '' };
    return this.bounded(this.script.agentcoreRateLimit(keys.length, ...keys, ...argv)).then(
      (reply) => this.outcomeOf(limits, reply),
      (err: unknown) => {
        this.toFallback(`redis ${err instanceof Error ? err.message : String(err)}`);
        return this.fallbackCheck(limits, subject, now);
      },
    );
  }

  /**
   * The reply, or a rejection once `timeoutMs` has passed since the check began. With ioredis's `commandTimeout`
   * alone, a hung Redis (SIGSTOP) held requests of keep-alive clients for about twice the timeout (measured; the
   * exact path inside ioredis's auto-pipelining and script handling was not pinned down): this timer is the bound.
   */
  private bounded<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`command timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
      p.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e as Error);
        },
      );
    });
  }

  /** Stops probing and closes the connection (QUIT when connected). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.client.removeAllListeners('ready');
    this.client.removeAllListeners('close');
    if (this.client.status === 'ready') {
      await this.client.quit().catch(() => this.client.disconnect());
    } else {
      this.client.disconnect();
    }
  }

  private outcomeOf(limits: readonly CompiledLimit[], reply: number[]): RateLimitOutcome {
    const decisions: LimitDecision[] = [];
    let k = 0;
    for (const l of limits) {
      for (const c of l.checks) {
        decisions.push({
          allowed: reply[k] === 1,
          limit: checkLimit(c),
          remaining: Number(reply[k + 1]),
          resetMs: Number(reply[k + 2]),
          retryAfterMs: Number(reply[k + 3]),
        });
        k += ARGS_PER_CHECK;
      }
    }
    return rateLimitOutcome(limits, decisions);
  }

  private fallbackCheck(limits: readonly CompiledLimit[], subject: RateLimitSubject, now: number): RateLimitOutcome | Promise<RateLimitOutcome> {
    if (this.fallback === 'local') return this.o.local.check(limits, subject, now);
    return fallbackOutcome(limits, this.fallback);
  }

  /** The calendar month of `now`, recomputed only when `now` leaves the cached one. */
  private monthWindow(now: number): { start: number; end: number } {
    if (now < this.month.start || now >= this.month.end) this.month = quotaWindow('month', now);
    return this.month;
  }

  private toFallback(reason: string): void {
    if (this.closed) return;
    const wasRedis = this.currentMode === 'redis';
    this.currentMode = 'fallback';
    if (wasRedis || !this.fallbackReported) {
      this.fallbackReported = true;
      this.o.log?.warn({ reason, fallback: this.fallback }, 'rate limits: Redis unavailable, using the fallback');
      this.o.onModeChange?.('fallback', reason);
    }
    this.probeTimer ??= setInterval(() => this.probe(), this.probeIntervalMs).unref();
  }

  private toRedis(reason: string): void {
    if (this.closed || this.currentMode === 'redis') return;
    this.currentMode = 'redis';
    this.fallbackReported = false;
    this.lastError = '';
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    this.o.log?.info({ reason }, 'rate limits: Redis available again, counters shared');
    this.o.onModeChange?.('redis', reason);
  }

  /**
   * While in fallback on a connection that stayed open (Redis was slow, not gone), a PING within the timeout
   * brings the store back; a PING that fails forces a reconnect, whose `ready` brings it back.
   */
  private probe(): void {
    if (this.probing || this.client.status !== 'ready') return;
    this.probing = true;
    this.client.ping().then(
      () => {
        this.probing = false;
        this.toRedis('probe answered');
      },
      () => {
        this.probing = false;
        if (!this.closed) this.client.disconnect(true);
      },
    );
  }
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
