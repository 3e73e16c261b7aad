import fc from 'fast-check';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createRetryPolicy, hasNoBody, MIN_RETRIES_PER_WINDOW, type RetryConfig } from './retry-policy.js';
import type { TryOutcome } from './try-outcome.js';

const cfg: RetryConfig = { attempts: 2, on: ['connect-failure', '503'], backoffBaseMs: 25, backoffMaxMs: 250, budgetPercent: 100 };

describe('retry policy', () => {
  it.each<[string, IncomingHttpHeaders, boolean]>([
    ['GET', {}, true],
    ['HEAD', {}, true],
    ['OPTIONS', {}, true],
    ['PUT', { 'content-length': '0' }, true],
    ['DELETE', {}, true],
    ['PUT', { 'content-length': '12' }, false],
    ['DELETE', { 'transfer-encoding': 'chunked' }, false],
    ['POST', {}, false],
    ['PATCH', {}, false],
  ])('%s %j retryable: %s', (method, headers, expected) => {
    expect(createRetryPolicy(cfg).retryable(method, headers)).toBe(expected);
  });

  it('nothing is retryable without retries', () => {
    const p = createRetryPolicy(undefined);
    expect(p.retryable('GET', {})).toBe(false);
    expect(p.decide(true, 0, { error: 'connect' })).toEqual({ retry: false, reason: 'DISABLED' });
  });

  it.each<[RetryConfig['on'], TryOutcome, boolean]>([
    [['connect-failure'], { error: 'connect' }, true],
    [['503'], { error: 'connect' }, false],
    [['503'], { status: 503 }, true],
    [['502'], { status: 503 }, false],
    [['502'], { status: 502 }, true],
    [['502'], { error: 'reset' }, true],
    [['504'], { status: 504 }, true],
    [['504'], { error: 'timeout' }, true],
    [['502', '503', '504', 'connect-failure'], { status: 500 }, false],
    [['502', '503', '504', 'connect-failure'], { status: 200 }, false],
  ])('on %j, outcome %j → retry %s', (on, outcome, expected) => {
    expect(createRetryPolicy({ ...cfg, on }).decide(true, 0, outcome).retry).toBe(expected);
  });

  it('stops after `attempts` retries and never retries a non-retryable request', () => {
    const p = createRetryPolicy(cfg);
    expect(p.decide(true, 1, { status: 503 }).retry).toBe(true);
    expect(p.decide(true, 2, { status: 503 })).toEqual({ retry: false, reason: 'ATTEMPTS' });
    expect(p.decide(false, 0, { status: 503 })).toEqual({ retry: false, reason: 'NOT_RETRYABLE' });
  });

  it('full-jitter back-off: random × min(max, base × 2^n)', () => {
    const p = createRetryPolicy({ ...cfg, attempts: 10 }, { random: () => 0.999999 });
    for (let i = 0; i < 100; i++) p.requestStarted();
    const delays = [0, 1, 2, 3, 4, 5].map((n) => {
      const d = p.decide(true, n, { status: 503 });
      return d.retry ? d.delayMs : -1;
    });
    expect(delays).toEqual([24, 49, 99, 199, 249, 249]);
    const zero = createRetryPolicy(cfg, { random: () => 0 }).decide(true, 0, { status: 503 });
    expect(zero).toEqual({ retry: true, delayMs: 0 });
  });

  it('property: the delay is in [0, min(max, base × 2^n))', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.nat(9), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 5000 }), (r, n, b, m) => {
        const d = createRetryPolicy({ ...cfg, attempts: 10, backoffBaseMs: b, backoffMaxMs: m }, { random: () => r }).decide(true, n, { status: 503 });
        expect(d.retry).toBe(true);
        if (d.retry) {
          expect(d.delayMs).toBeGreaterThanOrEqual(0);
          expect(d.delayMs).toBeLessThan(Math.max(1, Math.min(m, b * 2 ** n)));
        }
      }),
    );
  });

  it('the retry budget caps retries at budgetPercent under a simulated outage', () => {
    let clock = 0;
    const p = createRetryPolicy({ ...cfg, attempts: 3, on: ['503'], budgetPercent: 20 }, { now: () => clock });
    let requests = 0;
    let retries = 0;
    let denied = 0;
    // 100 requests/s for 60 s against an upstream answering 503 to everything
    for (let t = 0; t < 60_000; t += 10) {
      clock = t;
      p.requestStarted();
      requests++;
      for (let n = 0; ; n++) {
        const d = p.decide(true, n, { status: 503 });
        if (!d.retry) {
          if (d.reason === 'BUDGET') denied++;
          break;
        }
        retries++;
      }
    }
    const windows = Math.ceil(60_000 / 10_000);
    expect(requests).toBe(6000);
    expect(retries).toBeLessThanOrEqual(0.2 * requests + MIN_RETRIES_PER_WINDOW * windows);
    expect(retries).toBeGreaterThan(0.15 * requests); // the budget is used, not just refused
    expect(denied).toBeGreaterThan(0);
  });

  it('the budget frees up as the window slides', () => {
    let clock = 0;
    const p = createRetryPolicy({ ...cfg, budgetPercent: 10 }, { now: () => clock });
    for (let i = 0; i < 100; i++) p.requestStarted();
    for (let i = 0; i < 10; i++) expect(p.decide(true, 0, { status: 503 }).retry).toBe(true);
    expect(p.decide(true, 0, { status: 503 })).toEqual({ retry: false, reason: 'BUDGET' });
    clock = 10_000; // the first second left the window: no requests, only the minimum
    for (let i = 0; i < MIN_RETRIES_PER_WINDOW; i++) expect(p.decide(true, 0, { status: 503 }).retry).toBe(true);
    expect(p.decide(true, 0, { status: 503 }).retry).toBe(false);
  });

  it('budgetPercent 0 allows no retries at all', () => {
    const p = createRetryPolicy({ ...cfg, budgetPercent: 0 });
    p.requestStarted();
    expect(p.decide(true, 0, { status: 503 })).toEqual({ retry: false, reason: 'BUDGET' });
  });

  it.each<[IncomingHttpHeaders, boolean]>([
    [{}, true],
    [{ 'content-length': '0' }, true],
    [{ 'content-length': '1' }, false],
    [{ 'transfer-encoding': 'chunked' }, false],
  ])('hasNoBody(%j) = %s', (h, expected) => {
    expect(hasNoBody(h)).toBe(expected);
  });
});
