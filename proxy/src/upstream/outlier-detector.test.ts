import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createOutlierDetector, type OutlierConfig } from './outlier-detector.js';
import type { TryOutcome } from './try-outcome.js';

const cfg: OutlierConfig = { consecutive5xx: 3, consecutiveConnectFailures: 2, baseEjectionMs: 1000, maxEjectionPercent: 50 };
const s500: TryOutcome = { status: 500 };
const ok: TryOutcome = { status: 200 };
const refused: TryOutcome = { error: 'connect' };

function setup(n = 4, c: OutlierConfig = cfg) {
  let clock = 10_000;
  const ts = Array.from({ length: n }, (_, i) => `t${i}`);
  const events: string[] = [];
  const d = createOutlierDetector(ts, c, { now: () => clock, onChange: (t, e) => events.push(`${t}:${e ? 'out' : 'in'}`) });
  return {
    ts,
    d,
    events,
    advance: (ms: number) => (clock += ms),
    feed: (t: string, o: TryOutcome, times: number) => Array.from({ length: times }, () => d.record(t, o)),
  };
}

describe('outlier detector', () => {
  it.each<[string, TryOutcome[], boolean]>([
    ['3 consecutive 5xx eject', [s500, s500, s500], true],
    ['2 × 5xx do not', [s500, s500], false],
    ['a success resets the 5xx count', [s500, s500, ok, s500, s500], false],
    ['a 4xx is a success', [s500, s500, { status: 404 }, s500, s500], false],
    ['timeouts and resets count as 5xx', [{ error: 'timeout' }, { error: 'reset' }, s500], true],
    ['2 consecutive connect failures eject', [refused, refused], true],
    ['a 5xx resets the connect count', [refused, s500, refused], false],
    ['neutral outcomes count nowhere', [s500, s500, {}, s500], true],
  ])('%s', (_n, outcomes, ejected) => {
    const { d } = setup();
    for (const o of outcomes) d.record('t0', o);
    expect(d.isEjected('t0')).toBe(ejected);
  });

  it('ejection lasts baseEjectionMs × times ejected, and ends lazily', () => {
    const { d, advance, feed, events } = setup();
    feed('t0', s500, 3);
    advance(999);
    expect(d.isEjected('t0')).toBe(true);
    advance(1);
    expect(d.isEjected('t0')).toBe(false);
    feed('t0', s500, 3); // second time in a row: 2 s
    advance(1999);
    expect(d.isEjected('t0')).toBe(true);
    advance(1);
    expect(d.isEjected('t0')).toBe(false);
    feed('t0', s500, 3); // third: 3 s
    advance(2999);
    expect(d.isEjected('t0')).toBe(true);
    advance(1);
    expect(d.isEjected('t0')).toBe(false);
    expect(events).toEqual(['t0:out', 't0:in', 't0:out', 't0:in', 't0:out', 't0:in']);
  });

  it('the back-off multiplier decays while the target stays in', () => {
    const { d, advance, feed } = setup();
    feed('t0', s500, 3);
    advance(1000);
    feed('t0', s500, 3); // ×2, ends at +2000
    advance(2000 + 2000); // two base periods back in → multiplier 2 → 0
    feed('t0', s500, 3); // ×1 again
    advance(1000);
    expect(d.isEjected('t0')).toBe(false);
  });

  it('never ejects more than maxEjectionPercent of the targets', () => {
    const { d, feed, advance } = setup(4); // 50% of 4 = 2
    expect(feed('t0', s500, 3).at(-1)).toBe(true);
    expect(feed('t1', refused, 2).at(-1)).toBe(true);
    expect(feed('t2', s500, 3).at(-1)).toBe(false);
    expect(d.isEjected('t2')).toBe(false);
    expect(d.ejectedCount()).toBe(2);
    advance(1000); // t0 and t1 return; t2's counter kept running: its next failure ejects it
    expect(d.record('t2', s500)).toBe(true);
    expect(d.ejectedCount()).toBe(1);
  });

  it.each([
    [1, 50, 0],
    [1, 100, 1],
    [3, 50, 1],
    [10, 10, 1],
    [10, 0, 0],
  ])('%i targets at %i%% → at most %i ejected', (n, pct, max) => {
    const { ts, d, feed } = setup(n, { ...cfg, maxEjectionPercent: pct });
    for (const t of ts) feed(t, s500, 3);
    expect(d.ejectedCount()).toBe(max);
  });

  it('property: the cap holds under any sequence of outcomes and clock steps', () => {
    const outcome = fc.constantFrom<TryOutcome>(s500, ok, refused, { error: 'timeout' }, {});
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 100 }),
        fc.array(fc.tuple(fc.nat(7), outcome, fc.nat(1500)), { maxLength: 300 }),
        (n, pct, steps) => {
          const { ts, d, advance } = setup(n, { ...cfg, maxEjectionPercent: pct });
          for (const [i, o, dt] of steps) {
            d.record(ts[i % n]!, o);
            advance(dt);
            expect(d.ejectedCount()).toBeLessThanOrEqual(Math.floor((pct * n) / 100));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('throws on an unknown target (a wiring bug)', () => {
    expect(() => setup().d.record('nope', ok)).toThrow(/unknown target/);
  });
});
