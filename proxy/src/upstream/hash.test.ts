import { describe, expect, it } from 'vitest';
import { hash32 } from './hash.js';

describe('hash32', () => {
  it('is deterministic and unsigned 32-bit', () => {
    for (const s of ['', 'a', 'target-1#0', 'ünïcødé']) {
      const h = hash32(s);
      expect(h).toBe(hash32(s));
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
  });
  it('spreads near-identical keys evenly over 16 buckets (chi-square)', () => {
    const buckets = new Array<number>(16).fill(0);
    const n = 16_000;
    for (let i = 0; i < n; i++) {
      const h = hash32(`node#${i}`);
      buckets[h >>> 28] = (buckets[h >>> 28] ?? 0) + 1;
    }
    const expected = n / 16;
    const chi = buckets.reduce((s, b) => s + (b - expected) ** 2 / expected, 0);
    // 15 degrees of freedom: p = 0.001 at 37.7
    expect(chi).toBeLessThan(37.7);
  });
});
