/** One undici connection pool per upstream origin, kept across bundle reloads so keep-alive connections survive them. */
import { Pool } from './undici-core.js';

export interface PoolOptions {
  connectTimeoutMs: number;
  /** max connections per origin */
  connections: number;
  keepAliveTimeoutMs: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly options: PoolOptions) {}

  /** The pool for an origin like `http://127.0.0.1:3000` (created on first use). */
  get(origin: string, connectTimeoutMs = this.options.connectTimeoutMs): Pool {
    const key = `${origin}|${connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.options.connections,
        // Pipelining (several requests per connection) made forwarding slower and once stalled a benchmark run: one at a time.
        pipelining: 1,
        keepAliveTimeout: this.options.keepAliveTimeoutMs,
        connect: { timeout: connectTimeoutMs },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.close().catch(() => p.destroy())));
  }
}
