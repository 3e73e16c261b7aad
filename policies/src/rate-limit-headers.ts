/**
 * `RateLimit-Policy`, `RateLimit` and `Retry-After` values, following draft-ietf-httpapi-ratelimit-headers
 * (draft 08–10: lists of Structured Field Items, RFC 8941): https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/
 */
import type { LimitDecision } from './rate-limit.js';

/** The largest sf-integer (RFC 8941 §3.3.1). */
const MAX_SF_INTEGER = 999_999_999_999_999;

/** Serialises an sf-string (RFC 8941 §4.1.6): printable ASCII only, `"` and `\` escaped. Throws RangeError otherwise. */
function sfString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`rate-limit policy name ${JSON.stringify(value)} must be printable ASCII`);
    if (c === 0x22 || c === 0x5c) out += '\\';
    out += value[i];
  }
  return out + '"';
}

/** Serialises a non-negative sf-integer (RFC 8941 §4.1.4). Throws RangeError on anything else. */
function sfInteger(value: number, field: string): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_SF_INTEGER) {
    throw new RangeError(`${field} must be an integer from 0 to ${MAX_SF_INTEGER}, got ${String(value)}`);
  }
  return String(value);
}

/** Seconds for `t`, `w` and `Retry-After`: whole seconds rounded up, never negative. */
function ceilSeconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/**
 * `RateLimit-Policy` value: `"burst";q=100;w=60, "daily";q=1000;w=86400` — quota `q` per window `w` seconds.
 * A window that is not whole seconds is rounded up (`w` is an integer).
 */
export function rateLimitPolicyHeader(policies: readonly { name: string; quota: number; windowSeconds: number }[]): string {
  return policies
    .map((p) => {
      if (!Number.isFinite(p.windowSeconds) || p.windowSeconds <= 0) {
        throw new RangeError(`windowSeconds must be a finite number > 0, got ${String(p.windowSeconds)}`);
      }
      return `${sfString(p.name)};q=${sfInteger(p.quota, 'quota')};w=${sfInteger(Math.ceil(p.windowSeconds), 'windowSeconds')}`;
    })
    .join(', ');
}

/** One `RateLimit` list member: `"burst";r=0;t=5` — `r` requests remaining, `t` = ceil(resetMs / 1000) seconds. */
export function rateLimitHeader(name: string, d: LimitDecision): string {
  return `${sfString(name)};r=${sfInteger(Math.max(0, Math.floor(d.remaining)), 'remaining')};t=${sfInteger(ceilSeconds(d.resetMs), 'reset')}`;
}

/** `Retry-After` delay-seconds (RFC 9110 §10.2.3): ceil(retryAfterMs / 1000), at least 1 when denied; 0 when allowed. */
export function retryAfterSeconds(d: LimitDecision): number {
  const s = ceilSeconds(d.retryAfterMs);
  return d.allowed ? s : Math.max(1, s);
}
