/** One upstream response body collected for the cache while it is relayed, until it ends or passes the entry limit. */
import { bodyEtag, type CachedResponse } from './cache-headers.js';

/** Feeds one upstream response body into the cache while it is relayed. */
export interface Capture {
  /** false once the body passed `rule.maxEntryBytes`: the capture is abandoned and its memory released; stop feeding */
  push(chunk: Buffer): boolean;
  /** stores the response (when complete and still storable) and returns it */
  finish(): CachedResponse | undefined;
  /** drops the capture (upstream error, client gone) */
  abort(): void;
}

/** What a capture reports to its cache. */
export interface CaptureSink {
  /** stores a completed capture; undefined when it does not fit */
  store(primary: string, key: string, response: CachedResponse): CachedResponse | undefined;
  /** counts an abandoned oversized capture */
  countTooLarge(): void;
  /** the cache's clock (ms) */
  clock(): number;
}

/** The stored response's metadata, fixed when the capture starts. */
export interface CaptureMeta {
  status: number;
  headers: string[];
  etag: string | undefined;
  storedAt: number;
  expiresAt: number;
  declared: number | undefined;
  maxBodyBytes: number;
}

/** Collects the body chunks of one response until it ends or passes the entry limit. */
export class BodyCapture implements Capture {
  private chunks: Buffer[] = [];
  private length = 0;
  private state: 'open' | 'done' = 'open';

  constructor(
    private readonly cache: CaptureSink,
    private readonly primary: string,
    private readonly key: string,
    private readonly vary: readonly string[],
    private readonly meta: CaptureMeta,
  ) {}

  push(chunk: Buffer): boolean {
    if (this.state !== 'open') return false;
    this.length += chunk.length;
    if (this.length > this.meta.maxBodyBytes) {
      this.cache.countTooLarge();
      this.abort();
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  finish(): CachedResponse | undefined {
    if (this.state !== 'open') return undefined;
    const { chunks, length, meta } = this;
    this.abort();
    // A body shorter or longer than announced is a truncated or broken response: never stored.
    if (meta.declared !== undefined && meta.declared !== length) return undefined;
    if (meta.expiresAt <= this.cache.clock()) return undefined;
    // An exact-size copy: no view keeps a socket buffer or a pool slab alive behind the accounting.
    const body = Buffer.allocUnsafeSlow(length);
    let at = 0;
    for (const c of chunks) at += c.copy(body, at);
    return this.cache.store(this.primary, this.key, {
      status: meta.status,
      headers: meta.headers,
      body,
      etag: meta.etag ?? bodyEtag(body),
      storedAt: meta.storedAt,
      expiresAt: meta.expiresAt,
      vary: this.vary,
    });
  }

  abort(): void {
    this.state = 'done';
    this.chunks = [];
    this.length = 0;
  }
}
