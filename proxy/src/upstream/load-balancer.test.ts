import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBalancer, type Algorithm } from './load-balancer.js';

interface T {
  name: string;
  weight: number;
}
const targets = (...weights: number[]): T[] => weights.map((weight, i) => ({ name: `t${i}`, weight }));
const all = (): boolean => true;

/** Seeded PRNG (mulberry32) so distribution tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function counts(ts: T[], picks: (T | undefined)[]): number[] {
  return ts.map((t) => picks.filter((p) => p === t).length);
}

describe('smooth weighted round-robin', () => {
  it.each([
    [[1, 1, 1], 'abcabc'],
    [[5, 1, 1], 'aabacaa'],
    [[2, 1], 'abaaba'],
  ])('weights %j → %s', (weights, expected) => {
    const ts = targets(...weights);
    const b = createBalancer('round-robin', ts);
    const seq = Array.from({ length: expected.length }, () => String.fromCharCode(97 + ts.indexOf(b.pick(undefined, all)!))).join('');
    expect(seq).toBe(expected);
  });

  it('matches the weights exactly in every cycle of Σweight picks, and is smooth', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), (weights) => {
        const ts = targets(...weights);
        const b = createBalancer('round-robin', ts);
        const total = weights.reduce((s, w) => s + w, 0);
        const picks = Array.from({ length: 1000 }, () => b.pick(undefined, all));
        for (let c = 0; c + total <= picks.length; c += total) {
          expect(counts(ts, picks.slice(c, c + total))).toEqual(weights);
        }
        // Smooth: after k picks each target has had k·w/W picks, within one (no bursts).
        const seen = new Array<number>(ts.length).fill(0);
        picks.forEach((p, k) => {
          seen[ts.indexOf(p!)]!++;
          ts.forEach((t, i) => expect(Math.abs(seen[i]! - ((k + 1) * t.weight) / total)).toBeLessThan(1 + 1e-9));
        });
      }),
      { numRuns: 50 },
    );
  });

  it('skips ineligible targets and returns undefined when none is eligible', () => {
    const ts = targets(3, 1, 1);
    const b = createBalancer('round-robin', ts);
    const picks = Array.from({ length: 10 }, () => b.pick(undefined, (t) => t !== ts[0]));
    expect(counts(ts, picks)).toEqual([0, 5, 5]);
    expect(b.pick(undefined, () => false)).toBeUndefined();
  });
});

describe('weighted random', () => {
  it('follows the weights and uses the injected random', () => {
    const ts = targets(1, 2, 7);
    const b = createBalancer('random', ts, { random: seeded(1) });
    const c = counts(ts, Array.from({ length: 20_000 }, () => b.pick(undefined, all)));
    expect(c[0]! / 20_000).toBeCloseTo(0.1, 1);
    expect(c[1]! / 20_000).toBeCloseTo(0.2, 1);
    expect(c[2]! / 20_000).toBeCloseTo(0.7, 1);
  });
  it.each([
    [0, 't0'],
    [0.0999, 't0'],
    [0.1, 't1'],
    [0.9999999, 't2'],
  ])('random()=%d picks %s (weights 1,2,7)', (r, name) => {
    expect(createBalancer('random', targets(1, 2, 7), { random: () => r }).pick(undefined, all)?.name).toBe(name);
  });
  it('never picks an ineligible target', () => {
    const ts = targets(1, 1, 1);
    const b = createBalancer('random', ts, { random: seeded(2) });
    for (let i = 0; i < 200; i++) expect(b.pick(undefined, (t) => t !== ts[1])).not.toBe(ts[1]);
    expect(b.pick(undefined, () => false)).toBeUndefined();
  });
});

describe('least-request (power of two choices)', () => {
  it('prefers the less-loaded of two candidates', () => {
    const ts = targets(1, 1);
    const load = new Map([
      [ts[0]!, 5],
      [ts[1]!, 1],
    ]);
    const b = createBalancer('least-request', ts, { random: seeded(3), load: (t) => load.get(t)! });
    for (let i = 0; i < 100; i++) expect(b.pick(undefined, all)).toBe(ts[1]);
  });
  it('compares load per unit of weight', () => {
    const ts = targets(4, 1);
    const load = new Map([
      [ts[0]!, 3], // 0.75 per weight
      [ts[1]!, 1], // 1 per weight
    ]);
    const b = createBalancer('least-request', ts, { random: seeded(4), load: (t) => load.get(t)! });
    for (let i = 0; i < 100; i++) expect(b.pick(undefined, all)).toBe(ts[0]);
  });
  it('never picks the most loaded of three (it loses every pairing)', () => {
    const ts = targets(1, 1, 1);
    const load = [0, 2, 9];
    const b = createBalancer('least-request', ts, { random: seeded(5), load: (t) => load[ts.indexOf(t)]! });
    const c = counts(ts, Array.from({ length: 3000 }, () => b.pick(undefined, all)));
    expect(c[2]).toBe(0);
    expect(c[0]).toBeGreaterThan(c[1]!); // t0 wins both pairings it is in: ~2/3
  });
  it('keeps in-flight requests even under a closed-loop simulation', () => {
    const ts = targets(1, 1, 1);
    const active = [0, 0, 0];
    const b = createBalancer('least-request', ts, { random: seeded(6), load: (t) => active[ts.indexOf(t)]! });
    // target 0 is slow: its requests finish 1/10 as often
    const rnd = seeded(7);
    for (let i = 0; i < 5000; i++) {
      const t = b.pick(undefined, all)!;
      active[ts.indexOf(t)]!++;
      for (let j = 0; j < 3; j++) if (active[j]! > 0 && rnd() < (j === 0 ? 0.03 : 0.3)) active[j]!--;
    }
    expect(active[0]! - Math.max(active[1]!, active[2]!)).toBeLessThanOrEqual(3);
  });
  it('single eligible target and none', () => {
    const ts = targets(1, 1);
    const b = createBalancer('least-request', ts, { random: seeded(8) });
    expect(b.pick(undefined, (t) => t === ts[1])).toBe(ts[1]);
    expect(b.pick(undefined, () => false)).toBeUndefined();
  });
});

describe('consistent hash', () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

  it('is deterministic per key', () => {
    const ts = targets(1, 1, 1);
    const a = createBalancer('consistent-hash', ts);
    const b = createBalancer('consistent-hash', targets(1, 1, 1));
    for (const k of keys.slice(0, 500)) expect(a.pick(k, all)!.name).toBe(b.pick(k, all)!.name);
  });

  it('spreads keys by weight', () => {
    const ts = targets(1, 1, 2);
    const b = createBalancer('consistent-hash', ts);
    const c = counts(
      ts,
      keys.map((k) => b.pick(k, all)),
    );
    expect(c[0]! / keys.length).toBeCloseTo(0.25, 1);
    expect(c[2]! / keys.length).toBeCloseTo(0.5, 1);
  });

  it('adding or removing one of N targets moves at most 1/N + 0.05 of the keys', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.nat(), (n, seed) => {
        const names = Array.from({ length: n + 1 }, (_, i) => ({ name: `node-${seed}-${i}`, weight: 1 }));
        const before = createBalancer('consistent-hash', names.slice(0, n));
        const after = createBalancer('consistent-hash', names);
        let moved = 0;
        for (const k of keys) if (before.pick(k, all)!.name !== after.pick(k, all)!.name) moved++;
        // add one to N (N+1 afterwards): ~1/(N+1) move; removing is the reverse map
        expect(moved / keys.length).toBeLessThanOrEqual(1 / n + 0.05);
        // keys that moved all went to the new target
        for (const k of keys) {
          const a = after.pick(k, all)!.name;
          if (before.pick(k, all)!.name !== a) expect(a).toBe(names[n]!.name);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('an ineligible owner falls through to the next node, like a removal would', () => {
    const ts = targets(1, 1, 1, 1);
    const full = createBalancer('consistent-hash', ts);
    const without = createBalancer('consistent-hash', [ts[0]!, ts[1]!, ts[3]!]);
    let moved = 0;
    for (const k of keys) {
      const a = full.pick(k, all)!;
      const b = full.pick(k, (t) => t !== ts[2])!;
      expect(b).not.toBe(ts[2]);
      expect(b).toBe(without.pick(k, all));
      if (a !== b) {
        moved++;
        expect(a).toBe(ts[2]);
      }
    }
    expect(moved / keys.length).toBeLessThanOrEqual(0.25 + 0.05);
    expect(full.pick('k', () => false)).toBeUndefined();
  });

  it('without a key falls back to weighted random', () => {
    const ts = targets(1, 1);
    const b = createBalancer('consistent-hash', ts, { random: () => 0.75 });
    expect(b.pick(undefined, all)).toBe(ts[1]);
  });
});

it('rejects an empty target list', () => {
  expect(() => createBalancer('random', [])).toThrow(/no targets/);
});

describe('load spread simulation (printed for docs/benchmarks.md, not asserted)', () => {
  it('30k picks over 3 targets weighted 1/2/3 per algorithm', () => {
    const algorithms: Algorithm[] = ['round-robin', 'least-request', 'random', 'consistent-hash'];
    const lines = ['| algorithm | t0 (w=1) | t1 (w=2) | t2 (w=3) |', '|---|---|---|---|'];
    for (const algorithm of algorithms) {
      const ts = targets(1, 2, 3);
      const active = [0, 0, 0];
      const rnd = seeded(42);
      const b = createBalancer(algorithm, ts, { random: seeded(9), load: (t) => active[ts.indexOf(t)]! });
      const c = [0, 0, 0];
      for (let i = 0; i < 30_000; i++) {
        const t = b.pick(`client-${i % 5000}`, all)!;
        const j = ts.indexOf(t);
        c[j]!++;
        active[j]!++;
        // closed loop: each in-flight request ends with probability 0.1 per step
        for (let x = 0; x < 3; x++) for (let y = active[x]!; y > 0; y--) if (rnd() < 0.1) active[x]!--;
      }
      lines.push(`| ${algorithm} | ${c.join(' | ')} |`);
    }
    console.log(`\nLoad spread, 30,000 picks (consistent-hash: 5,000 distinct keys)\n${lines.join('\n')}\n`);
  });
});
