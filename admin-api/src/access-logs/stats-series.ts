/**
 * Turns summed rollups into the stats endpoint's groups: one series per group (all traffic, a service,
 * or a service × route), its points in time order, per-group totals, and p50/p99 from the merged
 * latency histograms.
 */
import { HISTOGRAM_SIZE, percentileMs, type ReasonSum, type RollupSum } from '../store/index.js';

/** The reason key of denials that carried no reason code. */
export const NO_REASON = 'NO_REASON';

/** Counts of one bucket (or of a whole group). */
export interface StatsCounts {
  requests: number;
  denied: number;
  errors: number;
  rateLimited: number;
  deniedByReason: Record<string, number>;
  latencyCount: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface StatsPoint extends StatsCounts {
  at: string;
}

export interface StatsGroup {
  service: string | null;
  route: string | null;
  totals: StatsCounts;
  points: StatsPoint[];
}

interface Acc {
  requests: number;
  denied: number;
  errors: number;
  rateLimited: number;
  deniedByReason: Record<string, number>;
  hist: number[];
}

const emptyAcc = (): Acc => ({ requests: 0, denied: 0, errors: 0, rateLimited: 0, deniedByReason: {}, hist: new Array<number>(HISTOGRAM_SIZE).fill(0) });

function addRow(acc: Acc, r: RollupSum): void {
  acc.requests += r.requests;
  acc.denied += r.denied;
  acc.errors += r.errors;
  acc.rateLimited += r.rateLimited;
  const h = acc.hist;
  for (let i = 0; i < h.length; i++) h[i]! += r.hist[i]!;
}

function addReason(acc: Acc, r: ReasonSum): void {
  if (r.decision !== 'deny') return;
  const key = r.reason === '' ? NO_REASON : r.reason;
  acc.deniedByReason[key] = (acc.deniedByReason[key] ?? 0) + r.requests;
}

function counts(acc: Acc): StatsCounts {
  let latencyCount = 0;
  for (const n of acc.hist) latencyCount += n;
  return {
    requests: acc.requests,
    denied: acc.denied,
    errors: acc.errors,
    rateLimited: acc.rateLimited,
    deniedByReason: acc.deniedByReason,
    latencyCount,
    p50Ms: latencyCount === 0 ? null : percentileMs(acc.hist, 0.5),
    p99Ms: latencyCount === 0 ? null : percentileMs(acc.hist, 0.99),
  };
}

interface GroupAcc {
  service: string | null;
  route: string | null;
  total: Acc;
  buckets: Map<number, Acc>;
}

/**
 * Groups sorted by total requests (most first, then by name), at most `maxGroups` of them; `truncated`
 * tells that more groups had traffic. Buckets without records are left out of `points`.
 */
export function statsGroups(rows: readonly RollupSum[], reasons: readonly ReasonSum[], maxGroups: number): { groups: StatsGroup[]; truncated: boolean } {
  const groups = new Map<string, GroupAcc>();
  const groupOf = (r: { service: string | null; route: string | null }): GroupAcc => {
    const key = `${r.service ?? ''}\u0000${r.route ?? ''}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { service: r.service, route: r.route, total: emptyAcc(), buckets: new Map() }));
    return g;
  };
  const bucketOf = (g: GroupAcc, at: number): Acc => {
    let b = g.buckets.get(at);
    if (!b) g.buckets.set(at, (b = emptyAcc()));
    return b;
  };
  for (const r of rows) {
    const g = groupOf(r);
    addRow(g.total, r);
    addRow(bucketOf(g, r.bucket), r);
  }
  for (const r of reasons) {
    const g = groupOf(r);
    addReason(g.total, r);
    addReason(bucketOf(g, r.bucket), r);
  }
  const sorted = [...groups.values()].sort(
    (a, b) => b.total.requests - a.total.requests || (a.service ?? '').localeCompare(b.service ?? '') || (a.route ?? '').localeCompare(b.route ?? ''),
  );
  return {
    truncated: sorted.length > maxGroups,
    groups: sorted.slice(0, maxGroups).map((g) => ({
      service: g.service,
      route: g.route,
      totals: counts(g.total),
      points: [...g.buckets.entries()].sort(([a], [b]) => a - b).map(([at, acc]) => ({ at: new Date(at).toISOString(), ...counts(acc) })),
    })),
  };
}
