/**
 * The response cache: a shared HTTP cache (RFC 9111) in front of the one backend, per route and host (forwarded),
 * bounded in memory by `lru-cache`. Only fresh entries are served; there is no revalidation
 * upstream (an entry that needs it is simply not stored). The relay streams a miss to the client
 * and feeds a `Capture` alongside; nothing is buffered unless the response is storable.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Route } from '@agentcore/policies';
import { LRUCache } from 'lru-cache';
import { parseCacheControl } from './cache-control.js';
import { BodyCapture, type Capture } from './body-capture.js';
import { firstValue, parseVary, ifNoneMatchMatches, upstreamLifetime, type CachedResponse } from './cache-headers.js';

export type { Capture } from './body-capture.js';
export { bodyEtag, hitHeaders, ifNoneMatchMatches, notModifiedHeaders, parseHttpDate, parseVary, type CachedResponse } from './cache-headers.js';
import { connectionListed, HOP_BY_HOP } from '../forward/hop-by-hop.js';
import { mayStoreShared } from './shared-storage.js';

/** A route's cache rule (`route.cache` in the bundle). */
export type CacheRule = NonNullable<Route['cache']>;

/** What the cache reads from a request (all of it known after the authenticate stage). */
export interface CacheRequest {
  method: string;
  /** normalised path */
  path: string;
  /** raw query without `?` */
  query: string;
  headers: IncomingHttpHeaders;
  /** the authenticated principal's id, when any */
  principalId?: string | undefined;
  routeId: string;
}

export interface ResponseCacheOptions {
  /** total memory bound (bodies + headers + keys), default 64 MiB */
  maxBytes?: number;
  /** wall clock in ms; injected for tests */
  now?: () => number;
}

/** Cache counters, for metrics. */
export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stores: number;
  tooLarge: number;
}

/** Default memory bound. */
export const DEFAULT_CACHE_MAX_BYTES = 64 * 1024 * 1024;
/** Flat header pair for a response the cache did not answer. */
export const MISS_HEADERS: readonly string[] = Object.freeze(['x-cache', 'MISS']);

/** Accounted per entry besides body, headers and key (object, index, lru slots). */
const ENTRY_OVERHEAD_BYTES = 256;
/** Distinct `Vary` header sets kept per primary key; more are not stored. */
const MAX_VARY_SETS = 8;
/** Statuses stored (heuristically cacheable ones of RFC 9110 §15.1, minus 204/206/300/308/405/414/501). */
const STORABLE_STATUS = new Set([200, 203, 301, 404, 410]);
/** Stored headers never replayed as they are: recomputed per hit. */
const RECOMPUTED = new Set(['age', 'content-length', 'x-cache']);
const ABSENT = '\u0001';

interface Entry {
  readonly response: CachedResponse;
  readonly primary: string;
  readonly varySignature: string;
  readonly size: number;
}

interface VarySet {
  readonly names: readonly string[];
  readonly signature: string;
  /** stored entries using this set */
  count: number;
}

interface CompiledRule {
  readonly vary: readonly string[];
}

/** Appends a length-prefixed part, so no value can forge a separator. */
function part(s: string): string {
  return `${s.length}:${s}`;
}

/** A request header's value as the cache compares it: lines joined, trimmed; absent ≠ empty. */
function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  if (v === undefined) return ABSENT;
  return (typeof v === 'string' ? v : v.join(', ')).trim();
}

function varyKey(headers: IncomingHttpHeaders, names: readonly string[]): string {
  let out = '';
  for (const n of names) out += part(headerValue(headers, n));
  return out;
}

/** The response cache of one sidecar: one instance for all routes, purged when the bundle changes. */
export class ResponseCache {
  private readonly lru: LRUCache<string, Entry>;
  /** primary key → the `Vary` header sets stored under it */
  private readonly variants = new Map<string, VarySet[]>();
  private readonly compiled = new WeakMap<CacheRule, CompiledRule>();
  private readonly now: () => number;
  private readonly maxBytes: number;
  private readonly counters: ResponseCacheStats = { hits: 0, misses: 0, stores: 0, tooLarge: 0 };

  constructor(o: ResponseCacheOptions = {}) {
    const maxBytes = o.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new TypeError(`response cache maxBytes must be a positive integer, got ${maxBytes}`);
    this.maxBytes = maxBytes;
    this.now = o.now ?? Date.now;
    const now = this.now;
    this.lru = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      maxEntrySize: maxBytes,
      sizeCalculation: (e) => e.size,
      perf: { now: () => now() },
      ttlResolution: 0, // no timer per call; the injected clock is read each time
      dispose: (e) => this.release(e),
    });
  }

  /** Entries stored. */
  get size(): number {
    return this.lru.size;
  }

  /** Bytes accounted (bodies, headers, keys, overhead); never more than `maxBytes`. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  stats(): ResponseCacheStats {
    return { ...this.counters };
  }

  /** Whether the request may be answered from the cache and whether its response may be stored (RFC 9111 §5.2.1). */
  requestPolicy(req: CacheRequest, rule: CacheRule): { lookup: boolean; store: boolean } {
    if (!rule.enabled) return { lookup: false, store: false };
    const get = req.method === 'GET';
    if (!get && req.method !== 'HEAD') return { lookup: false, store: false };
    const ccHeader = req.headers['cache-control'];
    const cc = parseCacheControl(ccHeader);
    const noCache = cc.noCache || cc.maxAge === 0 || (ccHeader === undefined && req.headers.pragma?.toLowerCase().includes('no-cache') === true);
    // A HEAD response has no body to store; it is answered from the GET entry.
    return { lookup: !noCache, store: get && !cc.noStore };
  }

  /** The fresh entry for the request, or undefined (a miss). Counts hits and misses. */
  lookup(req: CacheRequest, rule: CacheRule): CachedResponse | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const primary = this.primaryKey(req, rule);
    const sets = this.variants.get(primary);
    if (sets !== undefined) {
      const now = this.now();
      for (const set of sets) {
        const key = primary + part(set.signature) + varyKey(req.headers, set.names);
        const e = this.lru.get(key);
        if (e === undefined) continue;
        if (e.response.expiresAt <= now) {
          this.lru.delete(key);
          continue;
        }
        this.counters.hits++;
        return e.response;
      }
    }
    this.counters.misses++;
    return undefined;
  }

  /** Whether `If-None-Match` lets the proxy answer 304 for this entry. */
  notModified(entry: CachedResponse, ifNoneMatch: string | undefined): boolean {
    return ifNoneMatchMatches(entry.etag, ifNoneMatch);
  }

  /**
   * Starts capturing an upstream response, or returns undefined when it is not storable
   * (RFC 9111 §3, §3.5): request policy, status, `no-store`, `no-cache`, `private` (unless the
   * rule is private), `Set-Cookie`, `Vary: *`, zero lifetime, a credentialed request without
   * `public`/`s-maxage` (`shared-storage.ts`), a `Content-Length` over the limits.
   */
  beginCapture(req: CacheRequest, rule: CacheRule, status: number, headers: IncomingHttpHeaders): Capture | undefined {
    if (!STORABLE_STATUS.has(status) || !this.requestPolicy(req, rule).store) return undefined;
    if (headers['set-cookie'] !== undefined) return undefined;
    const cc = parseCacheControl(headers['cache-control']);
    if (cc.noStore || cc.noCache || (cc.private && !rule.private)) return undefined;
    if (!mayStoreShared(req.headers, req.principalId, rule, cc.public || cc.sMaxAge !== undefined)) return undefined;
    let vary = parseVary(headers.vary);
    if (vary[0] === '*') return undefined;
    const encoding = firstValue(headers['content-encoding']);
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity' && !vary.includes('accept-encoding')) {
      // The backend compressed per Accept-Encoding but forgot to say so: never serve gzip to a client that did not ask.
      vary = [...vary, 'accept-encoding'].sort();
    }
    const now = this.now();
    const upstreamAge = Number(firstValue(headers.age));
    const age = Number.isFinite(upstreamAge) && upstreamAge > 0 ? Math.floor(upstreamAge) : 0;
    const lifetime = upstreamLifetime(headers, cc.sMaxAge, cc.maxAge, now);
    const storedAt = now - age * 1000;
    const expiresAt = Math.min(now + rule.ttlSeconds * 1000, lifetime === undefined ? Infinity : storedAt + lifetime * 1000);
    if (expiresAt <= now) return undefined;
    const cl = firstValue(headers['content-length']);
    const declared = cl === undefined ? undefined : Number(cl);
    if (declared !== undefined && (declared > rule.maxEntryBytes || declared > this.maxBytes)) {
      this.counters.tooLarge++;
      return undefined;
    }
    const listed = connectionListed(firstValue(headers.connection));
    const flat: string[] = [];
    for (const name in headers) {
      if (HOP_BY_HOP.has(name) || RECOMPUTED.has(name) || listed?.has(name)) continue;
      const v = headers[name];
      if (v === undefined) continue;
      if (typeof v === 'string') flat.push(name, v);
      else for (const item of v) flat.push(name, item);
    }
    const etag = firstValue(headers.etag);
    const primary = this.primaryKey(req, rule);
    const signature = vary.join(',');
    return new BodyCapture(this, primary, primary + part(signature) + varyKey(req.headers, vary), vary, {
      status,
      headers: flat,
      etag,
      storedAt,
      expiresAt,
      declared: Number.isInteger(declared) ? declared : undefined,
      maxBodyBytes: rule.maxEntryBytes,
    });
  }

  /** Drops every entry (the bundle changed: routes, rules or the backend may differ). */
  purge(): void {
    this.lru.clear();
    this.variants.clear();
  }

  /** @internal Stores a completed capture; undefined when it does not fit. */
  store(primary: string, key: string, response: CachedResponse): CachedResponse | undefined {
    const signature = response.vary.join(',');
    let sets = this.variants.get(primary);
    const known = sets?.some((s) => s.signature === signature) === true;
    if (!known && sets !== undefined && sets.length >= MAX_VARY_SETS) return undefined;
    let size = ENTRY_OVERHEAD_BYTES + response.body.length + response.etag.length + key.length * 2;
    for (const h of response.headers) size += h.length;
    if (size > this.maxBytes) {
      this.counters.tooLarge++;
      return undefined;
    }
    this.lru.set(key, { response, primary, varySignature: signature, size }, { ttl: Math.max(1, Math.ceil(response.expiresAt - this.now())) });
    sets = this.variants.get(primary); // the set may have evicted the last entry of this primary key
    if (sets === undefined) {
      sets = [];
      this.variants.set(primary, sets);
    }
    const set = sets.find((s) => s.signature === signature);
    if (set === undefined) sets.push({ names: response.vary, signature, count: 1 });
    else set.count++;
    this.counters.stores++;
    return response;
  }

  /** @internal Counts an abandoned oversized capture. */
  countTooLarge(): void {
    this.counters.tooLarge++;
  }

  /** @internal */
  clock(): number {
    return this.now();
  }

  /** Keeps the `Vary` index in step with the entries lru-cache holds. */
  private release(e: Entry): void {
    const sets = this.variants.get(e.primary);
    if (sets === undefined) return;
    const i = sets.findIndex((s) => s.signature === e.varySignature);
    if (i === -1) return;
    const set = sets[i]!;
    if (--set.count > 0) return;
    sets.splice(i, 1);
    if (sets.length === 0) this.variants.delete(e.primary);
  }

  private primaryKey(req: CacheRequest, rule: CacheRule): string {
    let c = this.compiled.get(rule);
    if (c === undefined) {
      c = { vary: [...new Set(rule.vary.map((n) => n.toLowerCase()))].sort() };
      this.compiled.set(rule, c);
    }
    // HEAD shares the GET entry; nothing else is cached.
    let key = part(req.routeId) + part(req.headers.host?.toLowerCase() ?? ABSENT) + part(req.path) + part(req.query) + varyKey(req.headers, c.vary);
    if (rule.private) key += part(req.principalId ?? ABSENT);
    return key;
  }
}
