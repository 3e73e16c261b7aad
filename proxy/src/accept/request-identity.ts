/** Request ids and W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header). */
import { randomBytes, randomUUID } from 'node:crypto';

// One getrandom() call per 256 trace/span ids instead of two per request (it was ~8% of a
// pass-through profile). The ids stay cryptographically random.
const POOL_BYTES = 6144;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

/** `bytes` random bytes as lower-case hex, from a pooled buffer. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{8,128}$/;
const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Keeps a client's `X-Request-ID` when it is 8–128 of `[A-Za-z0-9._:-]`, otherwise makes a UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_RE.test(header) ? header : randomUUID();
}

/** Continues a valid `traceparent` with a new span id for this hop, or starts a new sampled trace. */
export function traceFrom(header: string | string[] | undefined): { traceId: string; traceparent: string } {
  const span = randomHex(8);
  if (typeof header === 'string') {
    const m = TRACEPARENT_RE.exec(header.trim());
    if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) return { traceId: m[1]!, traceparent: `00-${m[1]}-${span}-${m[3]}` };
  }
  const traceId = randomHex(16);
  return { traceId, traceparent: `00-${traceId}-${span}-01` };
}

/** The trace id and `traceparent` of a tracing span's own traceparent (`00-<trace>-<span>-<flags>`). */
export function spanTrace(traceparent: string): { traceId: string; traceparent: string } {
  return { traceId: traceparent.slice(3, 35), traceparent };
}
