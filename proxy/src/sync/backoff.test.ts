import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay, checkBackoff } from './backoff.js';

const o = { baseMs: 100, maxMs: 1000 };

describe('backoffCeiling', () => {
  it.each([
    [0, 100],
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1000],
    [60, 1000],
    [5000, 1000],
    [-1, 100],
  ])('attempt %i → %i ms', (attempt, ceiling) => {
    expect(backoffCeiling(attempt, o)).toBe(ceiling);
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 0],
    [0, 0.5, 50],
    [3, 0.999, 799],
    [10, 0.5, 500],
  ])('attempt %i with random %d → %i ms', (attempt, r, delay) => {
    expect(backoffDelay(attempt, o, () => r)).toBe(delay);
  });

  it('stays in [0, ceiling) with the real random source', () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = backoffDelay(attempt, o);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(backoffCeiling(attempt, o));
    }
  });
});

describe('checkBackoff', () => {
  it.each([
    [{ baseMs: 0, maxMs: 10 }, /baseMs/],
    [{ baseMs: Number.NaN, maxMs: 10 }, /baseMs/],
    [{ baseMs: 100, maxMs: 10 }, /maxMs/],
    [{ baseMs: 10, maxMs: Number.POSITIVE_INFINITY }, /maxMs/],
  ])('refuses %o', (bad, message) => {
    expect(() => checkBackoff(bad)).toThrow(message);
  });

  it('accepts base <= max', () => {
    expect(checkBackoff({ baseMs: 10, maxMs: 10 })).toEqual({ baseMs: 10, maxMs: 10 });
  });
});
