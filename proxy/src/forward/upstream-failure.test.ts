import { describe, expect, it } from 'vitest';
import { admissionRefused, BodyTooLargeError, noHealthyTarget, upstreamFailure } from './upstream-failure.js';

const err = (code: string, name = 'Error'): Error & { code: string } => Object.assign(new Error(code), { code, name });

describe('upstreamFailure', () => {
  const cases: [string, Error & { code?: string }, number, string, string, string | undefined][] = [
    ['connect timeout', err('UND_ERR_CONNECT_TIMEOUT'), 504, 'UPSTREAM_CONNECT_TIMEOUT', 'connect-timeout', 'connect'],
    ['headers timeout', err('UND_ERR_HEADERS_TIMEOUT'), 504, 'UPSTREAM_TIMEOUT', 'timeout', 'timeout'],
    ['parser error', err('HPE_INVALID_CONSTANT'), 502, 'UPSTREAM_MALFORMED_RESPONSE', 'malformed-response', 'other'],
    ['refused', err('ECONNREFUSED'), 502, 'UPSTREAM_UNREACHABLE', 'connect-refused', 'connect'],
    ['reset', err('ECONNRESET'), 502, 'UPSTREAM_UNREACHABLE', 'connection-reset', 'reset'],
    ['anything else', err('EWHATEVER'), 502, 'UPSTREAM_UNREACHABLE', 'upstream-error', 'other'],
    ['body length mismatch (the client)', err('UND_ERR_REQ_CONTENT_LENGTH_MISMATCH'), 400, 'CONTENT_LENGTH_MISMATCH', 'client-body', undefined],
    ['chunked body over the limit', new BodyTooLargeError('request body exceeds 10 bytes'), 413, 'BODY_TOO_LARGE', 'body-too-large', undefined],
  ];
  it.each(cases)('%s → %i %s (kind %s, outcome error %s)', (_name, e, status, reason, kind, outcomeError) => {
    const f = upstreamFailure(e);
    expect(f).toMatchObject({ status, reason, kind });
    expect(f.outcome.error).toBe(outcomeError);
    expect(f.decision).toBe(status < 500 ? 'deny' : 'error');
  });
});

describe('admission and target failures', () => {
  it('a refused admission is a 503 with Retry-After from the breaker', () => {
    expect(admissionRefused({ ok: false, reason: 'CIRCUIT_OPEN', retryAfterSeconds: 7 })).toMatchObject({
      status: 503,
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'CIRCUIT_OPEN',
      headers: ['retry-after', '7'],
      details: { reason: 'CIRCUIT_OPEN' },
    });
    expect(admissionRefused({ ok: false, reason: 'MAX_PENDING', retryAfterSeconds: 1 }).message).toContain('too many requests in flight');
  });
  it('no healthy target is a 503 NO_HEALTHY_TARGET with Retry-After 5', () => {
    expect(noHealthyTarget()).toMatchObject({ status: 503, reason: 'NO_HEALTHY_TARGET', headers: ['retry-after', '5'], decision: 'error' });
  });
});
