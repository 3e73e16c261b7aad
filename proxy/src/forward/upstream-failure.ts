/**
 * Upstream failures: what the proxy answers when forwarding fails before a response byte reached the client
 * (a refused admission, no healthy target, an undici error), and the chunked-body counter whose overflow is one
 * of them. Codes and statuses come from `pipeline/reasons.ts`.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { deny, type Respond } from '../pipeline/stage.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Refused } from '../upstream/circuit-breaker.js';
import type { TryOutcome } from '../upstream/try-outcome.js';

/** A chunked request body passed the route's limit while being forwarded. */
export class BodyTooLargeError extends Error {
  readonly code = 'PROXY_BODY_TOO_LARGE';
}

/** Counts a chunked request body and fails once it passes the route's limit. */
export class BodyLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly max: number,
    private readonly ctx: RequestContext,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    this.ctx.bytesIn = this.seen;
    if (this.seen > this.max) cb(new BodyTooLargeError(`request body exceeds ${this.max} bytes`));
    else cb(null, chunk);
  }
}

/** A failed try: the answer, the access-log `upstream_error` kind, and the outcome the cluster learns from. */
export type UpstreamFailure = Respond & { kind: string; outcome: TryOutcome };

/** Maps an undici/forwarding error to the proxy's answer (before response headers were sent). */
export function upstreamFailure(err: Error & { code?: string }): UpstreamFailure {
  const code = err.code ?? '';
  if (err instanceof BodyTooLargeError) {
    return { kind: 'body-too-large', outcome: {}, ...deny('BODY_TOO_LARGE', err.message + '; send a smaller body') };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { kind: 'connect-timeout', outcome: { error: 'connect' }, ...deny('UPSTREAM_CONNECT_TIMEOUT', 'the upstream service did not accept the connection in time; retry later') };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return { kind: 'timeout', outcome: { error: 'timeout' }, ...deny('UPSTREAM_TIMEOUT', 'the upstream service did not answer in time; retry later') };
  }
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE' || err.name === 'HTTPParserError') {
    return { kind: 'malformed-response', outcome: { error: 'other' }, ...deny('UPSTREAM_MALFORMED_RESPONSE', 'the upstream service sent an invalid HTTP response') };
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    // undici refused our request before sending it (checked before admission too): nothing reached the upstream.
    return { kind: 'unforwardable-header', outcome: {}, ...unforwardable(undefined, err.message) };
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return { kind: 'client-body', outcome: {}, ...deny('CONTENT_LENGTH_MISMATCH', 'the request body does not match its Content-Length') };
  }
  const refused = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ECONNRESET_BEFORE_CONNECT';
  const reset = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
  return {
    kind: refused ? 'connect-refused' : reset ? 'connection-reset' : 'upstream-error',
    outcome: { error: refused ? 'connect' : reset ? 'reset' : 'other' },
    ...deny('UPSTREAM_UNREACHABLE', 'the upstream service could not be reached; retry later'),
  };
}

/** The answer to a request whose headers cannot be forwarded (400, counted nowhere). */
export function unforwardable(header: string | undefined, problem: string): Respond {
  return deny('UNFORWARDABLE_HEADER', `the request cannot be forwarded: ${problem}`, { reason: 'UNFORWARDABLE_HEADER', ...(header === undefined ? {} : { header }) });
}

/** The answer to a refused admission (circuit open, too many in flight). */
export function admissionRefused(a: Refused): Respond {
  const why = a.reason === 'CIRCUIT_OPEN' ? 'circuit open' : 'too many requests in flight';
  return deny(a.reason, `the upstream service is unavailable (${why}); retry after ${a.retryAfterSeconds} s`, { reason: a.reason }, ['retry-after', String(a.retryAfterSeconds)]);
}

/** The answer when every target is unhealthy or ejected. */
export function noHealthyTarget(): Respond {
  return deny('NO_HEALTHY_TARGET', 'no healthy upstream target is available; retry later', undefined, ['retry-after', '5']);
}
