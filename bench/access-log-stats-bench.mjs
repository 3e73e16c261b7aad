#!/usr/bin/env node
// Access-log stats benchmark (docs/benchmarks.md § Access-log stats): loads N records (default 1,000,000) through the
// ingest path (`insertAccessLogs`: records + rollups in one transaction, batches of 5000 like a sidecar's), then times
// `GET /api/v1/access-logs/stats` queries (the endpoint's own query parsing and handler, no HTTP) on SQLite and
// PostgreSQL, one raw GROUP BY over access_logs for comparison, and the migration's backfill of the same records
// (rollup tables dropped and migration 006 run again: the upgrade cost of a database that had them). Needs `npm run build` first; PostgreSQL at
// AGENTCORE_TEST_PG (default postgres://postgres@127.0.0.1:5432, trust auth). Databases are created and dropped.
//
//   node bench/access-log-stats-bench.mjs [--records 1000000] [--days 3] [--dialects sqlite,postgres] [--runs 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../admin-api/dist/store/open-store.js';
import { insertAccessLogs } from '../admin-api/dist/store/access-logs-repo.js';
import { accessLogStatsEndpoints } from '../admin-api/dist/access-logs/access-log-stats.js';
import { accessLogRollupsMigration } from '../admin-api/dist/store/rollup-migration.js';

const { values: opt } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '3' },
    dialects: { type: 'string', default: 'sqlite,postgres' },
    runs: { type: 'string', default: '5' },
  },
});
const N = Number(opt.records);
const DAYS = Number(opt.days);
const RUNS = Number(opt.runs);
const PG = process.env.AGENTCORE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';
const HOUR = 3_600_000;
const END = Date.parse('2030-06-01T00:00:00Z');
const START = END - DAYS * 24 * HOUR;
const SERVICES = ['orders', 'billing', 'search', 'users'];
const ROUTES = ['list', 'get', 'create', 'update', 'delete', 'search'];
const DENY = ['MISSING_PERMISSION', 'INVALID_KEY', 'RATE_LIMITED', 'EXPIRED_TOKEN'];

/** Deterministic records, in time order (as sidecars send them), spread evenly over the span. */
function batch(from, count) {
  const out = [];
  for (let i = from; i < from + count; i++) {
    const h = Math.imul(i, 2654435761) >>> 0;
    const deny = h % 10 === 0;
    const reason = deny ? DENY[(h >>> 4) % DENY.length] : 'GRANTED';
    out.push({
      at: START + Math.floor((i * (END - START)) / N),
      service: SERVICES[(h >>> 8) % SERVICES.length],
      requestId: `b-${i}`,
      principal: `user-${h % 500}`,
      apiKeyId: null,
      routeId: ROUTES[(h >>> 12) % ROUTES.length],
      method: 'GET',
      path: `/items/${i}`,
      status: !deny ? 200 : reason === 'RATE_LIMITED' ? 429 : 403,
      decision: deny ? 'deny' : 'allow',
      reason,
      client: '10.0.0.1',
      latencyMs: 0.2 + ((h >>> 16) % 1000) / 10 + (h % 97 === 0 ? 800 : 0),
    });
  }
  return out;
}

async function database(dialect) {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stats-bench-'));
    return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `stats_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: `${PG}/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: `${PG}/postgres` });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const QUERIES = [
  ['last 24 h, 5m buckets, all traffic', { from: END - 24 * HOUR, to: END, bucket: '5m' }],
  ['last 24 h, 1m buckets, per service × route', { from: END - 24 * HOUR, to: END, bucket: '1m', groupBy: 'route' }],
  ['last 6 h, 1m buckets, one service and route', { from: END - 6 * HOUR, to: END, bucket: '1m', service: 'orders', route: 'get' }],
  [`all ${DAYS} days, 1h buckets, per service × route`, { from: START, to: END, bucket: '1h', groupBy: 'route' }],
  [`all ${DAYS} days, 15m buckets, per service`, { from: START, to: END, bucket: '15m', groupBy: 'service' }],
  [`all ${DAYS} days, 1d buckets, one service`, { from: START, to: END, bucket: '1d', service: 'billing' }],
];

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt(fn) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    result = await fn();
    times.push(ms(t0));
  }
  return { median: median(times), max: Math.max(...times), result };
}

async function benchDialect(dialect) {
  const target = await database(dialect);
  const store = await openStore(target.url);
  try {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i += 5000) await insertAccessLogs(store, batch(i, Math.min(5000, N - i)));
    const loadS = ms(t0) / 1000;
    const count = async (t) => Number((await sql`select count(*) as n from ${sql.table(t)}`.execute(store.db)).rows[0].n);
    console.log(`\n${dialect}: loaded ${N} records over ${DAYS} days in ${loadS.toFixed(1)} s (${Math.round(N / loadS)} records/s, rollups included);` +
      ` rollup rows ${await count('access_log_rollups')}, reason rows ${await count('access_log_rollup_reasons')}`);
    if (dialect === 'postgres') await sql`analyze`.execute(store.db);
    const [ep] = accessLogStatsEndpoints({ store });
    console.log('| query | median ms | max ms | groups | points |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const [name, raw] of QUERIES) {
      const query = ep.query.parse(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)])));
      const { median: med, max, result } = await timeIt(() => ep.handler({ query }));
      const points = result.body.groups.reduce((a, g) => a + g.points.length, 0);
      console.log(`| ${name} | ${med.toFixed(1)} | ${max.toFixed(1)} | ${result.body.groups.length} | ${points} |`);
    }
    const raw = await timeIt(() =>
      sql`select (at / 300000) * 300000 as b, count(*) as n, sum(case when status = 429 then 1 else 0 end) as r
          from access_logs where at >= ${END - 24 * HOUR} and at < ${END} group by (at / 300000) * 300000`.execute(store.db));
    console.log(`| (reference) raw GROUP BY over access_logs, last 24 h, 5m, counts only, no percentiles | ${raw.median.toFixed(1)} | ${raw.max.toFixed(1)} | – | ${raw.result.rows.length} |`);
    const before = await count('access_log_rollups');
    await sql`drop index access_logs_reason_idx`.execute(store.db);
    await sql`drop table access_log_rollup_reasons`.execute(store.db);
    await sql`drop table access_log_rollups`.execute(store.db);
    const tb = process.hrtime.bigint();
    await store.db.transaction().execute((trx) => accessLogRollupsMigration().up(trx));
    const after = await count('access_log_rollups');
    console.log(`\nbackfill (migration 006 over the ${N} stored records): ${(ms(tb) / 1000).toFixed(1)} s; rollup rows ${after} (${after === before ? 'same as ingest' : `ingest made ${before}!`})`);
  } finally {
    await store.close();
    await target.drop();
  }
}

console.log(`access-log stats bench: ${N} records, ${RUNS} runs per query; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const d of opt.dialects.split(',')) await benchDialect(d);
console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
