/** Pure helpers of the Overview: range and bucket choices, zero-filled series, and denial reasons to plot. */
import type { StatsBucket, StatsGroup } from '../../api/stats-api';

const MIN = 60_000;
const HOUR = 60 * MIN;
export const BUCKET_MS: Record<StatsBucket, number> = { '1m': MIN, '5m': 5 * MIN, '15m': 15 * MIN, '1h': HOUR, '6h': 6 * HOUR, '1d': 24 * HOUR };

/** The ranges offered, with the bucket picked by default for each. */
export const RANGES = [
  { id: '1h', label: 'Last hour', ms: HOUR, bucket: '1m' },
  { id: '6h', label: 'Last 6 hours', ms: 6 * HOUR, bucket: '5m' },
  { id: '24h', label: 'Last 24 hours', ms: 24 * HOUR, bucket: '15m' },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * HOUR, bucket: '1h' },
  { id: '30d', label: 'Last 30 days', ms: 30 * 24 * HOUR, bucket: '6h' },
] as const satisfies readonly { id: string; label: string; ms: number; bucket: StatsBucket }[];
export type RangeId = (typeof RANGES)[number]['id'];

/** Buckets that give a range between 2 and 1440 points (the API's limit). */
export function bucketsFor(rangeMs: number): StatsBucket[] {
  return (Object.keys(BUCKET_MS) as StatsBucket[]).filter((b) => rangeMs / BUCKET_MS[b] >= 2 && rangeMs / BUCKET_MS[b] <= 1440);
}

/** One chart row: a bucket start and its values (0 for buckets without traffic; latency null there). */
export interface ChartRow {
  at: number;
  requests: number;
  denied: number;
  rateLimited: number;
  p50: number | null;
  p99: number | null;
  [reason: string]: number | null;
}

/** Most reasons drawn one by one; the rest are summed as OTHER. */
export const MAX_REASONS = 6;

/** The denial reasons of a group, most frequent first, at most MAX_REASONS (plus OTHER when more). */
export function topReasons(g: StatsGroup | undefined): string[] {
  if (!g) return [];
  const sorted = Object.entries(g.totals.deniedByReason).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
  return sorted.length > MAX_REASONS ? [...sorted.slice(0, MAX_REASONS), 'OTHER'] : sorted;
}

/** The group's points on every bucket of [from, to): a bucket without traffic is a row of zeros. */
export function chartRows(g: StatsGroup | undefined, from: number, to: number, bucketMs: number, reasons: readonly string[]): ChartRow[] {
  const byAt = new Map((g?.points ?? []).map((p) => [Date.parse(p.at), p]));
  const rows: ChartRow[] = [];
  for (let at = from; at < to; at += bucketMs) {
    const p = byAt.get(at);
    const row: ChartRow = { at, requests: p?.requests ?? 0, denied: p?.denied ?? 0, rateLimited: p?.rateLimited ?? 0, p50: p?.p50Ms ?? null, p99: p?.p99Ms ?? null };
    for (const r of reasons) row[`reason:${r}`] = 0;
    for (const [r, n] of Object.entries(p?.deniedByReason ?? {})) {
      const key = reasons.includes(r) ? r : 'OTHER';
      if (reasons.includes(key)) row[`reason:${key}`] = (row[`reason:${key}`] ?? 0) + n;
    }
    rows.push(row);
  }
  return rows;
}

/** A bucket start as the axis and table show it: time of day for short buckets, date and time otherwise. */
export function bucketLabel(at: number, bucketMs: number): string {
  const d = new Date(at);
  // Day buckets are UTC days (the API aligns buckets to UTC): name the UTC date, not the local one.
  if (bucketMs >= 24 * HOUR) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  if (bucketMs >= HOUR) return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
