/** Request ids and W3C Trace Context (https://www.w3.org/TR/trace-context/#traceparent-header). */
import { randomBytes, randomUUID } from 'node:crypto';

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
  const span = randomBytes(8).toString('hex');
  if (typeof header === 'string') {
    const m = TRACEPARENT_RE.exec(header.trim());
    if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) return { traceId: m[1]!, traceparent: `00-${m[1]}-${span}-${m[3]}` };
  }
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${span}-01` };
}
