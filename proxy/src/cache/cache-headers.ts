/**
 * The HTTP side of the response cache: `Vary` parsing, `If-None-Match` matching, the headers of a hit or a 304,
 * validators, HTTP dates and the upstream's freshness lifetime (RFC 9110, RFC 9111). Pure functions.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** One stored response. */
export interface CachedResponse {
  status: number;
  /** flat [name, value, …] upstream headers (lower-case names), hop-by-hop, `age` and `content-length` removed */
  headers: string[];
  body: Buffer;
  /** the upstream's ETag, or a strong one computed from the body (quoted) */
  etag: string;
  /** ms (injected clock) when the response was generated: now − the upstream's `Age` */
  storedAt: number;
  /** ms after which the entry is never served */
  expiresAt: number;
  /** lower-case request header names from the response's `Vary` (RFC 9111 §4.1), sorted */
  vary: readonly string[];
}

/** Headers a 304 carries from the stored 200 (RFC 9110 §15.4.5). */
const NOT_MODIFIED_HEADERS = new Set(['cache-control', 'content-location', 'date', 'expires', 'vary']);

/** Lower-case, sorted, deduplicated names from `Vary` lines; `['*']` when it varies on everything. */
export function parseVary(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  const names = new Set<string>();
  for (const line of typeof v === 'string' ? [v] : v) {
    for (const raw of line.split(',')) {
      const name = raw.trim().toLowerCase();
      if (name === '*') return ['*'];
      if (name.length > 0) names.add(name);
    }
  }
  return [...names].sort();
}

/** Entity-tags of an `If-None-Match` list (quoted strings may hold commas; RFC 9110 §8.8.3). */
function* entityTags(list: string): Generator<string> {
  let i = 0;
  const n = list.length;
  while (i < n) {
    while (i < n && (list[i] === ' ' || list[i] === '\t' || list[i] === ',')) i++;
    if (i >= n) return;
    const start = i;
    if (list.startsWith('W/', i)) i += 2;
    if (list[i] === '"') {
      const close = list.indexOf('"', i + 1);
      i = close === -1 ? n : close + 1;
    }
    while (i < n && list[i] !== ',') i++;
    yield list.slice(start, i).trim();
  }
}

/** The opaque-tag of an entity-tag, without a weakness indicator. */
function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/** Whether `If-None-Match` matches the entry (weak comparison, RFC 9110 §13.1.2; `*` matches any). */
export function ifNoneMatchMatches(etag: string, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  const own = opaqueTag(etag);
  for (const tag of entityTags(ifNoneMatch)) {
    if (tag === '*' || opaqueTag(tag) === own) return true;
  }
  return false;
}

function ageSeconds(entry: CachedResponse, now: number): string {
  return String(Math.max(0, Math.floor((now - entry.storedAt) / 1000)));
}

function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return true;
  return false;
}

/** Flat headers for a 200-class hit: stored headers, `etag`, `content-length`, `age` (RFC 9111 §5.1), `x-cache: HIT`. */
export function hitHeaders(entry: CachedResponse, now: number): string[] {
  const out = entry.headers.slice();
  if (!hasHeader(out, 'etag')) out.push('etag', entry.etag);
  out.push('content-length', String(entry.body.length), 'age', ageSeconds(entry, now), 'x-cache', 'HIT');
  return out;
}

/** Flat headers for a 304 answered from the entry (RFC 9110 §15.4.5), with `age` and `x-cache: HIT`. */
export function notModifiedHeaders(entry: CachedResponse, now: number): string[] {
  const out: string[] = ['etag', entry.etag];
  const h = entry.headers;
  for (let i = 0; i < h.length; i += 2) if (NOT_MODIFIED_HEADERS.has(h[i]!)) out.push(h[i]!, h[i + 1]!);
  out.push('age', ageSeconds(entry, now), 'x-cache', 'HIT');
  return out;
}

/** Strong validator from the body: sha256, base64url, quoted. */
export function bodyEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** ms of an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate or asctime; the obsolete RFC 850 form counts as invalid), or NaN. */
export function parseHttpDate(v: string): number {
  const s = v.trim();
  if (IMF_FIXDATE.test(s)) return Date.parse(s);
  if (ASCTIME.test(s)) return Date.parse(`${s} GMT`);
  return NaN;
}

/** The first value of a header that may repeat. */
export function firstValue(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.[0];
}

/** Freshness lifetime in seconds the upstream allows (RFC 9111 §4.2.1), or undefined when it says nothing. */
export function upstreamLifetime(headers: IncomingHttpHeaders, sMaxAge: number | undefined, maxAge: number | undefined, now: number): number | undefined {
  if (sMaxAge !== undefined) return sMaxAge;
  if (maxAge !== undefined) return maxAge;
  const expires = firstValue(headers.expires);
  if (expires === undefined) return undefined;
  const at = parseHttpDate(expires);
  if (Number.isNaN(at)) return 0; // an invalid Expires means "already expired" (RFC 9111 §5.3)
  const date = firstValue(headers.date);
  const base = date === undefined ? now : parseHttpDate(date);
  return Math.max(0, Math.floor((at - (Number.isNaN(base) ? now : base)) / 1000));
}
