/**
 * Access-log rollups: the per-minute and per-hour counts and latency histograms that the stats
 * endpoint reads instead of scanning raw records. Pure: the histogram's fixed log-scale buckets,
 * nearest-rank percentiles from a histogram, and the accumulation of a batch of records into rows.
 */
import type { AccessLogRecord } from './access-log-record.js';

/** Rollup periods: one row per minute (short buckets) and per hour (buckets of an hour or more). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const ROLLUP_PERIODS = [MINUTE_MS, HOUR_MS] as const;

/** Lower edge of the first log bucket (ms); below it everything falls in bucket 0. */
export const LATENCY_FLOOR_MS = 0.1;
/** Buckets per doubling: each bucket spans a factor of 2^(1/3) ≈ 1.26. */
export const BUCKETS_PER_OCTAVE = 3;
/** Log buckets between the floor and the ceiling (20 octaves: 0.1 ms … 104,857.6 ms). */
const LOG_BUCKETS = 60;
/** Histogram columns h0…h61: h0 = [0, 0.1 ms), h1…h60 the log buckets, h61 = [ceiling, ∞). */
export const HISTOGRAM_SIZE = LOG_BUCKETS + 2;
/** Upper edge of the last log bucket (ms). */
export const LATENCY_CEILING_MS = LATENCY_FLOOR_MS * 2 ** (LOG_BUCKETS / BUCKETS_PER_OCTAVE);
/** The histogram column names, in bucket order. */
export const HISTOGRAM_COLUMNS: readonly string[] = Array.from({ length: HISTOGRAM_SIZE }, (_, i) => `h${i}`);

/** The histogram bucket of a latency (ms). */
export function latencyBucket(ms: number): number {
  if (!(ms >= LATENCY_FLOOR_MS)) return 0;
  if (ms >= LATENCY_CEILING_MS) return HISTOGRAM_SIZE - 1;
  const i = 1 + Math.floor(BUCKETS_PER_OCTAVE * Math.log2(ms / LATENCY_FLOOR_MS));
  return Math.min(Math.max(i, 1), LOG_BUCKETS);
}

/**
 * The value reported for bucket `i`: its geometric midpoint (log buckets), so the reported value is
 * within a factor 2^(1/6) (−11%…+12.3%) of any latency in the bucket; 0.05 ms for bucket 0 (absolute
 * error ≤ 0.05 ms); the ceiling for the overflow bucket (a lower bound).
 */
export function bucketValue(i: number): number {
  if (i <= 0) return LATENCY_FLOOR_MS / 2;
  if (i >= HISTOGRAM_SIZE - 1) return LATENCY_CEILING_MS;
  return LATENCY_FLOOR_MS * 2 ** ((i - 0.5) / BUCKETS_PER_OCTAVE);
}

/** The bucket holding the nearest-rank `p`-quantile (0 < p ≤ 1) of a histogram; undefined when empty. */
export function percentileBucket(hist: readonly number[], p: number): number | undefined {
  const n = hist.reduce((a, b) => a + b, 0);
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return i;
  }
  return hist.length - 1;
}

/** The approximate nearest-rank `p`-quantile (ms) of a histogram; null when it holds no latency. */
export function percentileMs(hist: readonly number[], p: number): number | null {
  const i = percentileBucket(hist, p);
  return i === undefined ? null : Math.round(bucketValue(i) * 1000) / 1000;
}

/** One rollup row: counts and the latency histogram of a period × service × route. `route` '' = no route matched. */
export interface RollupRow {
  period: number;
  start: number;
  service: string;
  route: string;
  requests: number;
  rateLimited: number;
  denied: number;
  errors: number;
  hist: number[];
}

/** Non-allow records of a period × service × route × decision × reason. `reason` '' = none. */
export interface ReasonRow {
  period: number;
  start: number;
  service: string;
  route: string;
  decision: string;
  reason: string;
  requests: number;
}

const SEP = '\u0000';

/**
 * Folds records into rollup rows of both periods, sorted by key (so concurrent upserts on PostgreSQL
 * take row locks in one order). Records without a latency count as requests but not in the histogram.
 */
export function rollupRecords(records: readonly AccessLogRecord[]): { rows: RollupRow[]; reasons: ReasonRow[] } {
  const rows = new Map<string, RollupRow>();
  const reasons = new Map<string, ReasonRow>();
  for (const r of records) {
    const route = r.routeId ?? '';
    for (const period of ROLLUP_PERIODS) {
      const start = Math.floor(r.at / period) * period;
      const key = [period, start, r.service, route].join(SEP);
      let row = rows.get(key);
      if (!row) {
        row = { period, start, service: r.service, route, requests: 0, rateLimited: 0, denied: 0, errors: 0, hist: new Array<number>(HISTOGRAM_SIZE).fill(0) };
        rows.set(key, row);
      }
      row.requests++;
      if (r.status === 429) row.rateLimited++;
      if (r.decision === 'deny') row.denied++;
      else if (r.decision === 'error') row.errors++;
      if (r.latencyMs !== null && Number.isFinite(r.latencyMs)) row.hist[latencyBucket(r.latencyMs)]!++;
      if (r.decision === 'allow') continue;
      const rkey = [key, r.decision, r.reason ?? ''].join(SEP);
      const reason = reasons.get(rkey);
      if (reason) reason.requests++;
      else reasons.set(rkey, { period, start, service: r.service, route, decision: r.decision, reason: r.reason ?? '', requests: 1 });
    }
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { rows: sorted(rows), reasons: sorted(reasons) };
}
