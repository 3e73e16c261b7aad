/**
 * The fast per-request metrics must scrape exactly as prom-client's own Counter and Histogram would for the same
 * observations (dashboards and alerts read this text): compared on random label values and durations, in one
 * registry and through the cluster aggregator (`--workers`).
 */
import fc from 'fast-check';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastCounter, FastHistogram } from './fast-metrics.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAMES = ['route', 'method', 'status_class', 'decision'] as const;

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  return {
    ours,
    theirs,
    fc: new FastCounter('t_requests_total', 'help c', NAMES, ours),
    fh: new FastHistogram('t_duration_seconds', 'help h', NAMES, BUCKETS, ours),
    pc: new Counter({ name: 't_requests_total', help: 'help c', labelNames: NAMES, registers: [theirs] }),
    ph: new Histogram({ name: 't_duration_seconds', help: 'help h', labelNames: NAMES, buckets: BUCKETS, registers: [theirs] }),
  };
}

const observation = fc.record({
  values: fc.tuple(fc.constantFrom('a', 'b', '(none)', 'ro"u\\te\n'), fc.constantFrom('GET', 'OTHER'), fc.constantFrom('2xx', '4xx'), fc.constantFrom('allow', 'deny')),
  seconds: fc.oneof(fc.double({ min: 0, max: 20, noNaN: true }), fc.constantFrom(...BUCKETS)),
});

function observeBoth(p: ReturnType<typeof pair>, obs: { values: [string, string, string, string]; seconds: number }[]): void {
  for (const o of obs) {
    const labels = Object.fromEntries(NAMES.map((n, i) => [n, o.values[i]!]));
    p.fc.inc(o.values);
    p.pc.inc(labels);
    p.fh.observe(o.values, o.seconds);
    p.ph.observe(labels, o.seconds);
  }
}

describe('fast per-request metrics', () => {
  it('scrape as prom-client does for the same observations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(observation, { maxLength: 60 }), async (obs) => {
        const p = pair();
        observeBoth(p, obs);
        const ours = await p.ours.metrics();
        const theirs = await p.theirs.metrics();
        // prom-client sums floats in its own order; compare the sums numerically, everything else as text
        const split = (t: string) => t.split('\n').map((l) => (l.includes('_sum{') ? l.replace(/ ([\d.e+-]+)$/, (_m, v: string) => ` ${Number(v).toPrecision(10)}`) : l));
        expect(split(ours)).toEqual(split(theirs));
      }),
      { numRuns: 200 },
    );
  });

  it('aggregate across workers as prom-client does', async () => {
    const a = pair();
    const b = pair();
    const obs = fc.sample(fc.array(observation, { minLength: 5, maxLength: 30 }), { numRuns: 2, seed: 7 });
    observeBoth(a, obs[0]! as never);
    observeBoth(b, obs[1]! as never);
    const ours = await AggregatorRegistry.aggregate([await a.ours.getMetricsAsJSON(), await b.ours.getMetricsAsJSON()]).metrics();
    const theirs = await AggregatorRegistry.aggregate([await a.theirs.getMetricsAsJSON(), await b.theirs.getMetricsAsJSON()]).metrics();
    const norm = (t: string) => t.split('\n').map((l) => l.replace(/_sum(\{[^}]*\}) ([\d.e+-]+)$/, (_m, lab: string, v: string) => `_sum${lab} ${Number(v).toPrecision(10)}`));
    expect(norm(ours)).toEqual(norm(theirs));
  });

  it('ignores non-finite durations and resets', async () => {
    const p = pair();
    p.fh.observe(['a', 'GET', '2xx', 'allow'], Number.NaN);
    expect(await p.ours.metrics()).not.toContain('t_duration_seconds_count');
    p.fc.inc(['a', 'GET', '2xx', 'allow'], 3);
    expect(await p.ours.metrics()).toContain('t_requests_total{route="a",method="GET",status_class="2xx",decision="allow"} 3');
    p.fc.reset();
    expect(await p.ours.metrics()).not.toContain('t_requests_total{');
  });
});
