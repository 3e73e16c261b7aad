import { describe, expect, it } from 'vitest';
import { HISTOGRAM_SIZE, LATENCY_CEILING_MS, bucketValue, latencyBucket, percentileBucket, percentileMs, rollupRecords } from './access-log-rollup.js';

describe('latency histogram', () => {
  it.each([
    [0, 0],
    [0.0999, 0],
    [0.1, 1],
    [0.1 * 2 ** (1 / 3) * 0.999, 1],
    [0.1 * 2 ** (1 / 3) * 1.001, 2],
    [1, 10],
    [1000, 40],
    [LATENCY_CEILING_MS * 0.999, 60],
    [LATENCY_CEILING_MS, 61],
    [1e9, 61],
    [Number.NaN, 0],
  ])('%f ms falls in bucket %i', (ms, bucket) => {
    expect(latencyBucket(ms)).toBe(bucket);
  });

  it('reports every in-range latency within −11%…+12.3% (a factor 2^(1/6))', () => {
    for (let ms = 0.1; ms < LATENCY_CEILING_MS; ms *= 1.01) {
      const ratio = bucketValue(latencyBucket(ms)) / ms;
      expect(ratio).toBeGreaterThanOrEqual(2 ** (-1 / 6) - 1e-9);
      expect(ratio).toBeLessThanOrEqual(2 ** (1 / 6) + 1e-9);
    }
  });

  it.each([
    [[0, 0, 0], 0.5, undefined],
    [[1, 0, 0], 0.99, 0],
    [[50, 50, 0], 0.5, 0],
    [[50, 50, 0], 0.51, 1],
    [[98, 1, 1], 0.99, 1],
    [[98, 1, 1], 0.995, 2],
  ])('nearest rank of %j at p=%f is bucket %s', (hist, p, bucket) => {
    expect(percentileBucket(hist, p)).toBe(bucket);
  });

  it('percentileMs is null for an empty histogram', () => {
    expect(percentileMs(new Array(HISTOGRAM_SIZE).fill(0), 0.5)).toBeNull();
  });
});

describe('rollupRecords', () => {
  const base = { service: 's', requestId: null, principal: null, apiKeyId: null, method: 'GET', path: '/', client: null };
  it('counts per minute and hour, keeps non-allow reasons, sorts by key', () => {
    const { rows, reasons } = rollupRecords([
      { ...base, at: 61_000, routeId: 'r', status: 429, decision: 'deny', reason: 'RATE_LIMITED', latencyMs: 1 },
      { ...base, at: 1_000, routeId: null, status: 200, decision: 'allow', reason: 'GRANTED', latencyMs: null },
      { ...base, at: 62_000, routeId: 'r', status: 502, decision: 'error', reason: null, latencyMs: 2 },
    ]);
    expect(rows.map((r) => [r.period, r.start, r.route, r.requests, r.rateLimited, r.denied, r.errors, r.hist.reduce((a, b) => a + b)])).toEqual([
      [3_600_000, 0, '', 1, 0, 0, 0, 0],
      [3_600_000, 0, 'r', 2, 1, 1, 1, 2],
      [60_000, 0, '', 1, 0, 0, 0, 0],
      [60_000, 60_000, 'r', 2, 1, 1, 1, 2],
    ]);
    expect(reasons.map((r) => [r.period, r.decision, r.reason, r.requests])).toEqual([
      [3_600_000, 'deny', 'RATE_LIMITED', 1],
      [3_600_000, 'error', '', 1],
      [60_000, 'deny', 'RATE_LIMITED', 1],
      [60_000, 'error', '', 1],
    ]);
  });
});
