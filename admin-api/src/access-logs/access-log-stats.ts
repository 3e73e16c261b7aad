/**
 * `GET /api/v1/access-logs/stats`: requests, denials by reason, 429s and p50/p99 latency over time,
 * per service and route, read from the rollups kept at ingest (store/access-log-rollups-repo.ts) —
 * never a scan of the raw records. Needs `logs:read`, like the records themselves.
 */
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { HOUR_MS, MINUTE_MS, sumRollups, type Store } from '../store/index.js';
import { ExactParam, TimeParam } from './query-params.js';
import { NO_REASON, statsGroups } from './stats-series.js';

/** Bucket sizes the caller may pick. */
export const STATS_BUCKETS = { '1m': MINUTE_MS, '5m': 5 * MINUTE_MS, '15m': 15 * MINUTE_MS, '1h': HOUR_MS, '6h': 6 * HOUR_MS, '1d': 24 * HOUR_MS } as const;
type BucketName = keyof typeof STATS_BUCKETS;
/** Most buckets one answer may hold. */
export const MAX_STATS_BUCKETS = 1440;
/** Most groups (series) one answer holds; the busiest are kept. */
export const MAX_STATS_GROUPS = 50;
const DEFAULT_RANGE_MS = 24 * HOUR_MS;

/** The range rounded out to whole buckets: `from` down, `to` up (at least one bucket). */
export function statsWindow(q: { from?: number | undefined; to?: number | undefined; bucket: BucketName }, now: number): { from: number; to: number; bucketMs: number } {
  const bucketMs = STATS_BUCKETS[q.bucket];
  const toRaw = q.to ?? now;
  const from = Math.floor((q.from ?? toRaw - DEFAULT_RANGE_MS) / bucketMs) * bucketMs;
  const to = Math.max(Math.ceil(toRaw / bucketMs) * bucketMs, from + bucketMs);
  return { from, to, bucketMs };
}

const StatsQuery = z
  .strictObject({
    from: TimeParam.optional().describe('start of the range (ISO 8601 or epoch ms), rounded down to the bucket; default: `to` minus 24 h'),
    to: TimeParam.optional().describe('end of the range (exclusive), rounded up to the bucket; default: now'),
    bucket: z.enum(Object.keys(STATS_BUCKETS) as [BucketName, ...BucketName[]]).default('5m').describe('bucket size: 1m, 5m (default), 15m, 1h, 6h or 1d; buckets are aligned to UTC'),
    service: ExactParam.optional().describe('only this service'),
    route: ExactParam.optional().describe('only this route id'),
    groupBy: z.enum(['none', 'service', 'route']).default('none').describe('one series for all matching traffic (none, default), one per service, or one per service and route'),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.to <= q.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
      return;
    }
    const w = statsWindow(q, Date.now());
    const buckets = (w.to - w.from) / w.bucketMs;
    if (buckets > MAX_STATS_BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['bucket'], message: `the range holds ${buckets} buckets of ${q.bucket}; at most ${MAX_STATS_BUCKETS}: pick a larger bucket or a shorter range` });
    }
  });

const Counts = {
  requests: z.int(),
  denied: z.int().describe("records with decision 'deny'"),
  errors: z.int().describe("records with decision 'error'"),
  rateLimited: z.int().describe('records with status 429'),
  deniedByReason: z.record(z.string(), z.int()).describe(`denials per reason code (${NO_REASON} for a denial without one)`),
  latencyCount: z.int().describe('records that carried a latency'),
  p50Ms: z.number().nullable().describe('approximate median latency (ms; histogram bucket midpoint, within −11%…+12.3%); null without latencies'),
  p99Ms: z.number().nullable().describe('approximate 99th percentile latency (ms), same bound'),
};
const StatsPoint = z.object({ at: z.string().describe('bucket start, ISO 8601'), ...Counts });
const StatsGroup = z.object({
  service: z.string().nullable().describe('null unless groupBy is service or route'),
  route: z.string().nullable().describe("null unless groupBy is route; '' for requests that matched no route"),
  totals: z.object(Counts),
  points: z.array(StatsPoint).describe('buckets with traffic, oldest first; a missing bucket had none'),
});
const StatsView = z.object({
  from: z.string(),
  to: z.string(),
  bucket: z.string(),
  bucketMs: z.int(),
  groupBy: z.enum(['none', 'service', 'route']),
  groups: z.array(StatsGroup),
  truncated: z.boolean().describe(`more than ${MAX_STATS_GROUPS} groups had traffic; the busiest are listed`),
});

/** The stats endpoint. */
export function accessLogStatsEndpoints(deps: { store: Store }): EndpointSpec<never, never, never>[] {
  const stats = endpoint({
    method: 'get',
    path: '/api/v1/access-logs/stats',
    operationId: 'accessLogStats',
    summary: 'Requests, denials by reason, 429s and p50/p99 latency over time, per service and route',
    description:
      'Read from per-minute and per-hour rollups kept at ingest (buckets of 1h or more use the hourly ones), so the cost follows the range and the number of series, not the number of records. Percentiles are nearest-rank over a log-scale histogram (3 buckets per doubling from 0.1 ms to 104.9 s): the value given is the midpoint of the bucket holding the true percentile, within −11%…+12.3% of it.',
    tags: ['access-logs'],
    access: 'logs:read',
    query: StatsQuery,
    responses: { 200: { description: 'one series per group', schema: StatsView } },
    async handler({ query }) {
      const w = statsWindow(query, Date.now());
      const period = w.bucketMs >= HOUR_MS ? HOUR_MS : MINUTE_MS;
      const { rows, reasons } = await sumRollups(deps.store, {
        period,
        from: w.from,
        to: w.to,
        bucketMs: w.bucketMs,
        groupBy: query.groupBy,
        ...(query.service !== undefined ? { service: query.service } : {}),
        ...(query.route !== undefined ? { route: query.route } : {}),
      });
      const { groups, truncated } = statsGroups(rows, reasons, MAX_STATS_GROUPS);
      const body = { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString(), bucket: query.bucket, bucketMs: w.bucketMs, groupBy: query.groupBy, groups, truncated };
      return { body };
    },
  });
  return [stats] as unknown as EndpointSpec<never, never, never>[];
}
