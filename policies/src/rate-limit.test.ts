import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fixedRateWindow,
  fixedWindow,
  gcra,
  gcraParams,
  mostRestrictive,
  quotaWindow,
  type GcraParams,
  type GcraState,
  type LimitDecision,
  type WindowState,
} from './rate-limit.js';

const EPOCH = Date.UTC(2025, 5, 1, 12, 0, 0); // a realistic `now`: rounding bugs show at this magnitude

const numbersFinite = (d: LimitDecision): boolean => [d.limit, d.remaining, d.resetMs, d.retryAfterMs].every(Number.isFinite);

/** Runs GCRA over request times; returns the admitted times and every decision. */
function run(p: GcraParams, times: readonly number[]): { admitted: number[]; decisions: LimitDecision[] } {
  let state: GcraState | undefined;
  const admitted: number[] = [];
  const decisions: LimitDecision[] = [];
  for (const t of times) {
    const r = gcra(state, p, t);
    decisions.push(r.decision);
    if (r.decision.allowed) admitted.push(t);
    state = r.state;
  }
  return { admitted, decisions };
}

describe('gcraParams', () => {
  it.each([
    [{ requests: 10, periodSeconds: 1 }, { emissionIntervalMs: 100, burst: 10 }],
    [{ requests: 10, periodSeconds: 1, burst: 3 }, { emissionIntervalMs: 100, burst: 3 }],
    [{ requests: 1, periodSeconds: 60 }, { emissionIntervalMs: 60_000, burst: 1 }],
    [{ requests: 4, periodSeconds: 0.5 }, { emissionIntervalMs: 125, burst: 4 }],
  ])('%j → %j', (rate, expected) => {
    expect(gcraParams(rate)).toEqual(expected);
  });

  it('rounds a non-representable interval up, by less than 0.5 µs', () => {
    const { emissionIntervalMs } = gcraParams({ requests: 3, periodSeconds: 1 });
    expect(emissionIntervalMs).toBeGreaterThanOrEqual(1000 / 3);
    expect(emissionIntervalMs - 1000 / 3).toBeLessThan(1 / 2048);
  });

  it.each([
    [{ requests: 0, periodSeconds: 1 }, /requests/],
    [{ requests: -1, periodSeconds: 1 }, /requests/],
    [{ requests: Number.NaN, periodSeconds: 1 }, /requests/],
    [{ requests: 1, periodSeconds: 0 }, /periodSeconds/],
    [{ requests: 1, periodSeconds: Number.POSITIVE_INFINITY }, /periodSeconds/],
    [{ requests: 1, periodSeconds: 1, burst: 0 }, /burst/],
    [{ requests: 1, periodSeconds: 1, burst: 0.5 }, /burst/],
    [{ requests: 1, periodSeconds: 1, burst: Number.NaN }, /burst/],
  ])('rejects %j', (rate, field) => {
    expect(() => gcraParams(rate)).toThrow(RangeError);
    expect(() => gcraParams(rate)).toThrow(field);
  });
});

describe('gcra', () => {
  const p = gcraParams({ requests: 10, periodSeconds: 1, burst: 3 }); // T = 100 ms, B = 3

  it('walks through a burst, a denial and replenishment', () => {
    const steps: [number, Partial<LimitDecision>][] = [
      [0, { allowed: true, limit: 3, remaining: 2, resetMs: 100, retryAfterMs: 0 }],
      [0, { allowed: true, remaining: 1, resetMs: 200 }],
      [0, { allowed: true, remaining: 0, resetMs: 300 }],
      [0, { allowed: false, remaining: 0, resetMs: 300, retryAfterMs: 100 }],
      [99, { allowed: false, retryAfterMs: 1 }],
      [100, { allowed: true, remaining: 0, resetMs: 300 }],
      [1000, { allowed: true, remaining: 2, resetMs: 100 }],
    ];
    let state: GcraState | undefined;
    for (const [dt, expected] of steps) {
      const r = gcra(state, p, EPOCH + dt);
      expect(r.decision).toMatchObject(expected);
      state = r.state;
    }
  });

  it.each([
    [1, 1],
    [3, 1],
    [6, 1],
    [7, 1],
    [1000, 1],
    [100, 60],
    [3, 0.7],
  ])('admits exactly the burst at one instant: %i requests per %f s', (requests, periodSeconds) => {
    const params = gcraParams({ requests, periodSeconds });
    const { admitted, decisions } = run(params, Array.from({ length: requests + 2 }, () => EPOCH + 0.25));
    expect(admitted).toHaveLength(requests);
    expect(decisions.slice(0, requests).map((d) => d.remaining)).toEqual(Array.from({ length: requests }, (_, i) => requests - 1 - i));
  });

  it.each([
    [167, 600],
    [166, 300], // just faster than T = 166.67 ms: every other request is refused
  ])('spaces requests by T when the burst is 1: every %i ms → %i of 600 admitted', (spacing, expected) => {
    const params = gcraParams({ requests: 6, periodSeconds: 1, burst: 1 });
    const times = Array.from({ length: 600 }, (_, i) => EPOCH + i * spacing);
    expect(run(params, times).admitted).toHaveLength(expected);
  });

  it('supports a cost, and a cost above the burst never passes', () => {
    expect(gcra(undefined, p, EPOCH, 3).decision).toMatchObject({ allowed: true, remaining: 0 });
    const big = gcra(undefined, p, EPOCH, 4);
    expect(big.decision).toMatchObject({ allowed: false, retryAfterMs: 100, resetMs: 0 });
    expect(gcra(undefined, p, EPOCH, 0).decision).toMatchObject({ allowed: true, remaining: 3 });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('rejects now = %f', (now) => {
    expect(() => gcra(undefined, p, now)).toThrow(RangeError);
  });

  it.each([-1, Number.NaN])('rejects cost = %f', (cost) => {
    expect(() => gcra(undefined, p, EPOCH, cost)).toThrow(/cost/);
  });

  it('treats a corrupt state as absent instead of producing NaN', () => {
    const r = gcra({ tat: Number.NaN }, p, EPOCH);
    expect(r.decision).toMatchObject({ allowed: true, remaining: 2 });
    expect(Number.isFinite(r.state.tat)).toBe(true);
  });

  it('does not admit more when the clock steps back, and says how long to wait', () => {
    let state: GcraState | undefined;
    for (let i = 0; i < 3; i++) state = gcra(state, p, EPOCH).state;
    const back = gcra(state, p, EPOCH - 5000);
    expect(back.decision).toMatchObject({ allowed: false, retryAfterMs: 5100, resetMs: 5300 });
    expect(back.state).toBe(state);
    expect(numbersFinite(back.decision)).toBe(true);
  });

  const rateArb = fc.record({
    requests: fc.integer({ min: 1, max: 50 }),
    periodMs: fc.integer({ min: 1, max: 5000 }),
    burst: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  });

  it('never admits more than rate × W + burst in any window [a, a + W] (property)', () => {
    fc.assert(
      fc.property(
        rateArb,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 150 }),
        ({ requests, periodMs, burst }, start, gaps) => {
          const params = gcraParams({ requests, periodSeconds: periodMs / 1000, burst });
          const B = burst ?? requests;
          let t = start;
          const times = gaps.map((g) => (t += g));
          const { admitted } = run(params, times);
          // The tightest windows start and end on admitted requests: n admitted in [t_i, t_j], W = t_j − t_i.
          // Bound in integers: n ≤ requests·W/periodMs + B  ⇔  n·periodMs ≤ requests·W + B·periodMs.
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const n = j - i + 1;
              const W = (admitted[j] as number) - (admitted[i] as number);
              if (n * periodMs > requests * W + B * periodMs) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the bound in real time when the clock steps back (property)', () => {
    fc.assert(
      fc.property(
        rateArb,
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 120 }),
        fc.nat(),
        fc.integer({ min: 1, max: 100_000 }),
        ({ requests, periodMs, burst }, gaps, stepAt, stepMs) => {
          const params = gcraParams({ requests, periodSeconds: periodMs / 1000, burst });
          const B = burst ?? requests;
          let real = EPOCH;
          const realTimes = gaps.map((g) => (real += g));
          const k = stepAt % realTimes.length;
          let state: GcraState | undefined;
          const admitted: number[] = [];
          realTimes.forEach((r, i) => {
            const res = gcra(state, params, i >= k ? r - stepMs : r);
            if (res.decision.allowed) admitted.push(r);
            state = res.state;
          });
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const W = (admitted[j] as number) - (admitted[i] as number);
              if ((j - i + 1) * periodMs > requests * W + B * periodMs) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never changes the state on a denial and never yields NaN (property)', () => {
    fc.assert(
      fc.property(
        rateArb,
        fc.double({ min: EPOCH - 1e6, max: EPOCH + 1e6, noNaN: true }),
        fc.double({ min: EPOCH - 1e6, max: EPOCH + 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 30 }),
        ({ requests, periodMs, burst }, tat, now, cost) => {
          const params = gcraParams({ requests, periodSeconds: periodMs / 1000, burst });
          const state = { tat };
          const r = gcra(state, params, now, cost);
          expect(numbersFinite(r.decision)).toBe(true);
          expect(Number.isFinite(r.state.tat)).toBe(true);
          if (!r.decision.allowed) {
            expect(r.state).toBe(state);
            expect(r.decision.retryAfterMs).toBeGreaterThan(0);
          } else {
            expect(r.decision.remaining).toBeGreaterThanOrEqual(0);
            expect(r.decision.remaining).toBeLessThanOrEqual(params.burst);
          }
        },
      ),
    );
  });
});

describe('quotaWindow', () => {
  it.each([
    ['hour', Date.UTC(2024, 0, 15, 10, 59, 59, 999), Date.UTC(2024, 0, 15, 10), Date.UTC(2024, 0, 15, 11)],
    ['hour', Date.UTC(2024, 0, 15, 11), Date.UTC(2024, 0, 15, 11), Date.UTC(2024, 0, 15, 12)],
    ['day', Date.UTC(2024, 0, 15, 23, 59), Date.UTC(2024, 0, 15), Date.UTC(2024, 0, 16)],
    ['day', Date.UTC(2024, 1, 29, 5), Date.UTC(2024, 1, 29), Date.UTC(2024, 2, 1)],
    ['month', Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2024, 1, 1), Date.UTC(2024, 2, 1)], // leap Feb: 29 days
    ['month', Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 1), Date.UTC(2024, 3, 1)],
    ['month', Date.UTC(2023, 1, 14), Date.UTC(2023, 1, 1), Date.UTC(2023, 2, 1)], // Feb 2023: 28 days
    ['month', Date.UTC(2100, 1, 14), Date.UTC(2100, 1, 1), Date.UTC(2100, 2, 1)], // 2100 is not a leap year
    ['month', Date.UTC(2023, 11, 31, 23, 59, 59, 999), Date.UTC(2023, 11, 1), Date.UTC(2024, 0, 1)], // Dec → Jan
    ['month', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 1)],
    ['day', -1, -86_400_000, 0], // before the epoch
  ] as const)('%s at %i → [%i, %i)', (period, now, start, end) => {
    expect(quotaWindow(period, now)).toEqual({ start, end });
  });

  it('rejects a time outside the ECMAScript date range', () => {
    expect(() => quotaWindow('month', 9e15)).toThrow(RangeError);
  });

  it('has month lengths of 28, 29 and 31 days where the calendar says so', () => {
    const days = (y: number, m: number) => {
      const w = quotaWindow('month', Date.UTC(y, m, 10));
      return (w.end - w.start) / 86_400_000;
    };
    expect([days(2023, 1), days(2024, 1), days(2000, 1), days(2024, 11), days(2024, 3)]).toEqual([28, 29, 29, 31, 30]);
  });

  it('always contains now (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('hour', 'day', 'month' as const), fc.integer({ min: -1e13, max: 1e13 }), (period, now) => {
        const w = quotaWindow(period, now);
        return w.start <= now && now < w.end;
      }),
    );
  });
});

describe('fixedRateWindow', () => {
  it.each([
    [60, EPOCH + 61_000, EPOCH + 60_000, EPOCH + 120_000],
    [1, 1500, 1000, 2000],
    [0.7, 1500, 1400, 2100],
    [10, -1, -10_000, 0],
  ])('%f s at %i → [%i, %i)', (periodSeconds, now, start, end) => {
    expect(fixedRateWindow(periodSeconds, now)).toEqual({ start, end });
  });

  it.each([0, -1, Number.NaN])('rejects periodSeconds = %f', (s) => {
    expect(() => fixedRateWindow(s, 0)).toThrow(/periodSeconds/);
  });
});

describe('fixedWindow', () => {
  const w = { start: 1000, end: 2000 };

  it('counts to the limit, denies, then resets in the next window', () => {
    let state: WindowState | undefined;
    const seen: Partial<LimitDecision>[] = [];
    for (const now of [1000, 1500, 1999]) {
      const r = fixedWindow(state, 2, w, now);
      seen.push(r.decision);
      state = r.state;
    }
    expect(seen).toEqual([
      { allowed: true, limit: 2, remaining: 1, resetMs: 1000, retryAfterMs: 0 },
      { allowed: true, limit: 2, remaining: 0, resetMs: 500, retryAfterMs: 0 },
      { allowed: false, limit: 2, remaining: 0, resetMs: 1, retryAfterMs: 1 },
    ]);
    expect(state).toEqual({ windowStart: 1000, count: 2 });
    const next = fixedWindow(state, 2, { start: 2000, end: 3000 }, 2000);
    expect(next).toEqual({ decision: { allowed: true, limit: 2, remaining: 1, resetMs: 1000, retryAfterMs: 0 }, state: { windowStart: 2000, count: 1 } });
  });

  it('keeps a newer window when the clock steps back', () => {
    const spent = { windowStart: 2000, count: 2 };
    const r = fixedWindow(spent, 2, w, 1900);
    expect(r.decision).toMatchObject({ allowed: false, retryAfterMs: 1100 });
    expect(r.state).toBe(spent);
  });

  it('reports the partial remainder when a large cost is refused', () => {
    expect(fixedWindow({ windowStart: 1000, count: 1 }, 5, w, 1000, 10).decision).toMatchObject({ allowed: false, remaining: 4 });
  });

  it('never admits more than the limit per window, and never changes state on a denial (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 })), { maxLength: 200 }),
        (limit, periodSeconds, steps) => {
          let state: WindowState | undefined;
          let now = EPOCH;
          const perWindow = new Map<number, number>();
          for (const [gap, cost] of steps) {
            now += gap;
            const win = fixedRateWindow(periodSeconds, now);
            const r = fixedWindow(state, limit, win, now, cost);
            if (r.decision.allowed) perWindow.set(win.start, (perWindow.get(win.start) ?? 0) + cost);
            else if (state !== undefined && r.state !== state) return false;
            state = r.state;
          }
          return [...perWindow.values()].every((n) => n <= limit);
        },
      ),
    );
  });
});

describe('mostRestrictive', () => {
  const d = (allowed: boolean, remaining: number, retryAfterMs: number, resetMs = 1000): LimitDecision => ({ allowed, limit: 10, remaining, resetMs, retryAfterMs });

  it.each([
    ['one', [d(true, 5, 0)], 0],
    ['denied beats allowed', [d(true, 0, 0), d(false, 0, 10)], 1],
    ['longest retry among denials', [d(false, 0, 10), d(false, 0, 5000), d(false, 0, 20)], 1],
    ['fewest remaining among allowed', [d(true, 7, 0), d(true, 2, 0), d(true, 3, 0)], 1],
    ['tie on remaining → longer reset', [d(true, 2, 0, 100), d(true, 2, 0, 900)], 1],
    ['full tie → first', [d(true, 2, 0), d(true, 2, 0)], 0],
  ])('%s', (_name, decisions, index) => {
    expect(mostRestrictive(decisions)).toBe(decisions[index]);
  });

  it('rejects an empty list', () => {
    expect(() => mostRestrictive([])).toThrow(RangeError);
  });
});
