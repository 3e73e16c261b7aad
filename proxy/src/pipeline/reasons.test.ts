import { PUBLIC_ERROR_STATUS } from '@agentcore/policies';
import { describe, expect, it } from 'vitest';
import { PROXY_REASONS, statusOf, type DenyCode, type ReasonCode } from './reasons.js';
import { deny } from './stage.js';

const entries = Object.entries(PROXY_REASONS) as [ReasonCode, (typeof PROXY_REASONS)[ReasonCode]][];

describe('the reason catalogue', () => {
  it('every error reason names a public code; only allowed answers have none', () => {
    for (const [reason, spec] of entries) {
      if (spec.decision === 'allow') expect(spec.code, reason).toBeUndefined();
      else expect(Object.keys(PUBLIC_ERROR_STATUS), reason).toContain(spec.code);
      expect(spec.doc.length, reason).toBeGreaterThan(10);
    }
  });

  it('client refusals are 4xx and our or the upstream’s failures 5xx', () => {
    for (const [reason, spec] of entries) {
      if (spec.code === undefined) continue;
      const status = statusOf(reason as DenyCode);
      // 501 (RFC 9112 §6.1: a transfer coding we do not implement) is the one 5xx that refuses the client's request.
      if (status === 501) {
        expect(spec.decision, reason).toBe('deny');
        continue;
      }
      expect(status >= 500, `${reason} → ${status}`).toBe(spec.decision === 'error');
    }
  });

  const samples: [DenyCode, number][] = [
    ['NO_ROUTE', 404],
    ['METHOD_NOT_ALLOWED', 405],
    ['PATH_TOO_LONG', 400],
    ['TOKEN_EXPIRED', 401],
    ['JWKS_UNAVAILABLE', 503],
    ['MISSING_SCOPE', 403],
    ['QUOTA_EXCEEDED', 429],
    ['BODY_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['UPSTREAM_CONNECT_TIMEOUT', 504],
    ['WS_UPSTREAM_REFUSED', 502],
    ['INTERNAL_ERROR', 500],
  ];
  it.each(samples)('deny(%s) answers %i with the reason and its public code', (reason, status) => {
    const r = deny(reason, 'm', { a: 1 }, ['x', 'y']);
    expect(r).toEqual({ status, code: PROXY_REASONS[reason].code, message: 'm', reason, decision: PROXY_REASONS[reason].decision, details: { a: 1 }, headers: ['x', 'y'] });
  });
});
