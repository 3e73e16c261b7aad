import { describe, expect, it } from 'vitest';
import { rateLimitHeader, rateLimitPolicyHeader, retryAfterSeconds } from './rate-limit-headers.js';
import type { LimitDecision } from './rate-limit.js';

const decision = (over: Partial<LimitDecision>): LimitDecision => ({ allowed: true, limit: 100, remaining: 10, resetMs: 0, retryAfterMs: 0, ...over });

describe('rateLimitPolicyHeader', () => {
  it.each([
    [[], ''],
    [[{ name: 'burst', quota: 100, windowSeconds: 60 }], '"burst";q=100;w=60'],
    [
      [
        { name: 'burst', quota: 100, windowSeconds: 60 },
        { name: 'daily', quota: 1000, windowSeconds: 86400 },
      ],
      '"burst";q=100;w=60, "daily";q=1000;w=86400',
    ],
    [[{ name: 'say "hi" \\o/', quota: 1, windowSeconds: 1 }], '"say \\"hi\\" \\\\o/";q=1;w=1'],
    [[{ name: 'sub-second', quota: 5, windowSeconds: 0.5 }], '"sub-second";q=5;w=1'],
  ])('%j → %s', (policies, expected) => {
    expect(rateLimitPolicyHeader(policies)).toBe(expected);
  });

  it.each([
    [{ name: 'é', quota: 1, windowSeconds: 1 }, /printable ASCII/],
    [{ name: 'a\nb', quota: 1, windowSeconds: 1 }, /printable ASCII/],
    [{ name: 'x', quota: 1.5, windowSeconds: 1 }, /quota/],
    [{ name: 'x', quota: -1, windowSeconds: 1 }, /quota/],
    [{ name: 'x', quota: 1, windowSeconds: 0 }, /windowSeconds/],
    [{ name: 'x', quota: 1, windowSeconds: Number.NaN }, /windowSeconds/],
  ])('rejects %j', (policy, message) => {
    expect(() => rateLimitPolicyHeader([policy])).toThrow(message);
  });
});

describe('rateLimitHeader', () => {
  it.each([
    ['burst', decision({ remaining: 0, resetMs: 5000 }), '"burst";r=0;t=5'],
    ['burst', decision({ remaining: 3, resetMs: 4001 }), '"burst";r=3;t=5'],
    ['daily', decision({ remaining: 999, resetMs: 0 }), '"daily";r=999;t=0'],
    ['daily', decision({ remaining: 7, resetMs: 1 }), '"daily";r=7;t=1'],
    ['q"x', decision({ remaining: 1, resetMs: 1000 }), '"q\\"x";r=1;t=1'],
  ])('%s %j → %s', (name, d, expected) => {
    expect(rateLimitHeader(name, d)).toBe(expected);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [decision({ allowed: true, retryAfterMs: 0 }), 0],
    [decision({ allowed: false, retryAfterMs: 0 }), 1],
    [decision({ allowed: false, retryAfterMs: 1 }), 1],
    [decision({ allowed: false, retryAfterMs: 1000 }), 1],
    [decision({ allowed: false, retryAfterMs: 1001 }), 2],
    [decision({ allowed: false, retryAfterMs: 3_600_000 }), 3600],
  ])('%j → %i', (d, expected) => {
    expect(retryAfterSeconds(d)).toBe(expected);
  });
});
