import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketValue, deleteAccessLogsOlderThan, insertAccessLogs, latencyBucket, type AccessLogRecord } from '../store/index.js';
import { accessLogRollupsMigration } from '../store/rollup-migration.js';
import { DIALECTS } from '../store/test-databases.js';
import { NO_REASON, type StatsCounts } from './stats-series.js';
import { startLogsServer, type LogsTestServer } from './test-logs-server.js';

const T0 = Date.parse('2030-03-01T00:00:00Z');
const HOUR = 3_600_000;
const SERVICES = ['orders', 'billing', 'search'];
const ROUTES = ['list', 'get', 'create', null];
const DENY_REASONS = ['MISSING_PERMISSION', 'RATE_LIMITED', 'INVALID_KEY', null];

/** A seeded PRNG (mulberry32): the same random data on every run and dialect. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRecords(n: number, seed: number): AccessLogRecord[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const decision = rnd() < 0.7 ? 'allow' : rnd() < 0.9 ? 'deny' : 'error';
    const reason = decision === 'allow' ? 'GRANTED' : pick(DENY_REASONS);
    const status = decision === 'allow' ? 200 : reason === 'RATE_LIMITED' ? 429 : decision === 'error' ? 502 : 403;
    // log-uniform latencies over 0.01 ms … 200 s (both tails of the histogram), some missing
    const latencyMs = rnd() < 0.05 ? null : 10 ** (-2 + rnd() * 7.3);
    return {
      at: T0 + Math.floor(rnd() * 6 * HOUR),
      service: pick(SERVICES),
      requestId: `r-${seed}-${i}`,
      principal: 'p',
      apiKeyId: null,
      routeId: pick(ROUTES),
      method: 'GET',
      path: '/x',
      status,
      decision,
      reason,
      client: null,
      latencyMs,
    };
  });
}

/** What the brute force computes for a bucket: the endpoint's own counts shape. */
type Expected = StatsCounts;

/** Nearest-rank percentile of the raw latencies, reported as the midpoint of its histogram bucket. */
function bruteForcePercentile(latencies: number[], p: number): number | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  const v = sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
  return Math.round(bucketValue(latencyBucket(v)) * 1000) / 1000;
}

/** The stats computed straight from the records: key = bucket ISO + group. */
function bruteForce(records: AccessLogRecord[], from: number, to: number, bucketMs: number, groupBy: 'none' | 'service' | 'route'): Map<string, Expected> {
  const groups = new Map<string, AccessLogRecord[]>();
  for (const r of records) {
    if (r.at < from || r.at >= to) continue;
    const bucket = Math.floor(r.at / bucketMs) * bucketMs;
    const key = [new Date(bucket).toISOString(), groupBy === 'none' ? null : r.service, groupBy === 'route' ? (r.routeId ?? '') : null].join('|');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out = new Map<string, Expected>();
  for (const [key, rs] of groups) {
    const latencies = rs.flatMap((r) => (r.latencyMs === null ? [] : [r.latencyMs]));
    const deniedByReason: Record<string, number> = {};
    for (const r of rs) if (r.decision === 'deny') deniedByReason[r.reason ?? NO_REASON] = (deniedByReason[r.reason ?? NO_REASON] ?? 0) + 1;
    out.set(key, {
      requests: rs.length,
      denied: rs.filter((r) => r.decision === 'deny').length,
      errors: rs.filter((r) => r.decision === 'error').length,
      rateLimited: rs.filter((r) => r.status === 429).length,
      deniedByReason,
      latencyCount: latencies.length,
      p50Ms: bruteForcePercentile(latencies, 0.5),
      p99Ms: bruteForcePercentile(latencies, 0.99),
    });
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walks the JSON answer
function actual(body: any): Map<string, Expected> {
  const out = new Map<string, Expected>();
  for (const g of body.groups) {
    for (const { at, ...counts } of g.points) out.set([at, g.service, g.route].join('|'), counts);
  }
  return out;
}

const CASES = [
  { bucket: '1m', ms: 60_000, from: T0 + 3 * 60_000 + 17, to: T0 + 95 * 60_000, groupBy: 'route' },
  { bucket: '5m', ms: 300_000, from: T0, to: T0 + 6 * HOUR, groupBy: 'service' },
  { bucket: '15m', ms: 900_000, from: T0 + HOUR, to: T0 + 4 * HOUR, groupBy: 'none' },
  { bucket: '1h', ms: HOUR, from: T0, to: T0 + 6 * HOUR, groupBy: 'route' },
  { bucket: '6h', ms: 6 * HOUR, from: T0, to: T0 + 6 * HOUR, groupBy: 'service' },
  { bucket: '1d', ms: 24 * HOUR, from: T0, to: T0 + 24 * HOUR, groupBy: 'none' },
] as const;

describe.each(DIALECTS)('access-log stats on %s', (dialect) => {
  let srv: LogsTestServer;
  const records = [...randomRecords(3000, 1), ...randomRecords(2000, 2)];

  beforeAll(async () => {
    srv = await startLogsServer({ dialect });
    // Several batches, some sharing minutes: the rollup upserts must add up.
    await insertAccessLogs(srv.store, records.slice(0, 3000));
    await insertAccessLogs(srv.store, records.slice(3000, 4000));
    await insertAccessLogs(srv.store, records.slice(4000));
  }, 60_000);
  afterAll(async () => srv?.close());

  it.each(CASES)('equals a brute-force computation: $bucket buckets grouped by $groupBy', async ({ bucket, ms, from, to, groupBy }) => {
    const r = await srv.getJson(`/api/v1/access-logs/stats?from=${from}&to=${to}&bucket=${bucket}&groupBy=${groupBy}`);
    expect(r.status).toBe(200);
    const alignedFrom = Math.floor(from / ms) * ms;
    const alignedTo = Math.ceil(to / ms) * ms;
    expect(r.body).toMatchObject({ from: new Date(alignedFrom).toISOString(), to: new Date(alignedTo).toISOString(), bucketMs: ms, truncated: false });
    expect(actual(r.body)).toEqual(bruteForce(records, alignedFrom, alignedTo, ms, groupBy));
  });

  it('filters by service and route, and keeps the totals', async () => {
    const r = await srv.getJson(`/api/v1/access-logs/stats?from=${T0}&to=${T0 + 6 * HOUR}&bucket=1h&service=orders&route=get&groupBy=route`);
    expect(r.status).toBe(200);
    const subset = records.filter((x) => x.service === 'orders' && x.routeId === 'get');
    expect(actual(r.body)).toEqual(bruteForce(subset, T0, T0 + 6 * HOUR, HOUR, 'route'));
    expect(r.body.groups).toHaveLength(1);
    expect(r.body.groups[0].totals.requests).toBe(subset.length);
    const latencies = subset.flatMap((x) => (x.latencyMs === null ? [] : [x.latencyMs]));
    expect(r.body.groups[0].totals.p99Ms).toBe(bruteForcePercentile(latencies, 0.99));
  });

  it('answers an empty range with no groups', async () => {
    const r = await srv.getJson(`/api/v1/access-logs/stats?from=2031-01-01T00:00:00Z&to=2031-01-02T00:00:00Z&bucket=1h`);
    expect(r.status).toBe(200);
    expect(r.body.groups).toEqual([]);
  });

  it('backfills records stored before the migration', async () => {
    const db = srv.store.db;
    await sql`drop index access_logs_reason_idx`.execute(db);
    await sql`drop table access_log_rollup_reasons`.execute(db);
    await sql`drop table access_log_rollups`.execute(db);
    await accessLogRollupsMigration().up(db);
    const r = await srv.getJson(`/api/v1/access-logs/stats?from=${T0}&to=${T0 + 6 * HOUR}&bucket=5m&groupBy=route`);
    expect(actual(r.body)).toEqual(bruteForce(records, T0, T0 + 6 * HOUR, 300_000, 'route'));
  }, 60_000);

  it('retention drops the rollup periods wholly before the cutoff', async () => {
    const cutoff = T0 + 3 * HOUR + 30 * 60_000 + 5;
    await deleteAccessLogsOlderThan(srv.store, cutoff);
    const minutes = await srv.getJson(`/api/v1/access-logs/stats?from=${T0}&to=${T0 + 6 * HOUR}&bucket=1m`);
    const firstMinute = Math.floor(cutoff / 60_000) * 60_000;
    expect(Date.parse(minutes.body.groups[0].points[0].at)).toBeGreaterThanOrEqual(firstMinute);
    const hours = await srv.getJson(`/api/v1/access-logs/stats?from=${T0}&to=${T0 + 6 * HOUR}&bucket=1h`);
    expect(hours.body.groups[0].points[0].at).toBe(new Date(T0 + 3 * HOUR).toISOString());
  });
});

describe('access-log stats: input and access', () => {
  let srv: LogsTestServer;
  beforeAll(async () => (srv = await startLogsServer()));
  afterAll(async () => srv?.close());

  it.each([
    ['bucket=2m', 'query.bucket'],
    ['bucket=1m&from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z', 'query.bucket'],
    ['from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'query.to'],
    ['from=yesterday', 'query.from'],
    ['groupBy=principal', 'query.groupBy'],
    ['service=', 'query.service'],
    ['unknown=1', 'query'],
  ])('400 for %s, on %s', async (qs, path) => {
    const r = await srv.getJson(`/api/v1/access-logs/stats?${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.fields.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('says how many buckets a too-long range holds', async () => {
    const r = await srv.getJson('/api/v1/access-logs/stats?bucket=1m&from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z');
    expect(r.body.error.details.fields[0].message).toMatch(/2880 buckets of 1m; at most 1440/);
  });

  it.each([
    ['auditor', 200],
    ['security-admin', 200],
    ['owner', 200],
    ['platform-engineer', 403],
    [null, 401],
  ] as const)('%s → %i (logs:read, like the records)', async (role, status) => {
    expect((await srv.get('/api/v1/access-logs/stats', role)).status).toBe(status);
  });

  it('answers a store failure in the error format (no stack, a request id)', async () => {
    const failing = await startLogsServer({ failAfterRows: 0 });
    try {
      const r = await failing.getJson('/api/v1/access-logs/stats');
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.body.error.code).toEqual(expect.any(String));
      expect(r.body.error.request_id).toEqual(expect.any(String));
    } finally {
      await failing.close();
    }
  });
});
