/**
 * Writes the access-log rollups (migration 006) in the ingest transaction. Upserts add to existing rows
 * (`ON CONFLICT … DO UPDATE SET n = n + excluded.n`), so batches of the same minute from several
 * sidecars accumulate.
 */
import { sql, type Kysely } from 'kysely';
import type { AccessLogRecord } from './access-log-record.js';
import { HISTOGRAM_COLUMNS, rollupRecords, type ReasonRow, type RollupRow } from './access-log-rollup.js';
import type { Database } from './database.js';

/** Rows per upsert statement: 200 × 70 parameters stays under both dialects' bind limits. */
const UPSERT_CHUNK = 200;

type Row = Record<string, string | number>;

const rollupRow = (r: RollupRow): Row => {
  const row: Row = { period: r.period, start: r.start, service: r.service, route: r.route, requests: r.requests, rate_limited: r.rateLimited, denied: r.denied, errors: r.errors };
  HISTOGRAM_COLUMNS.forEach((c, i) => (row[c] = r.hist[i]!));
  return row;
};
const reasonRow = (r: ReasonRow): Row => ({ period: r.period, start: r.start, service: r.service, route: r.route, decision: r.decision, reason: r.reason, requests: r.requests });

const ROLLUP_KEY = ['period', 'start', 'service', 'route'] as const;
const ROLLUP_SUMS = ['requests', 'rate_limited', 'denied', 'errors', ...HISTOGRAM_COLUMNS];
const REASON_KEY = [...ROLLUP_KEY, 'decision', 'reason'] as const;

async function upsert(db: Kysely<Database>, table: 'access_log_rollups' | 'access_log_rollup_reasons', rows: Row[], key: readonly string[], sums: readonly string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
    const set = Object.fromEntries(sums.map((c) => [c, sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`]));
    await db
      .insertInto(table)
      .values(rows.slice(i, i + UPSERT_CHUNK) as never)
      .onConflict((oc) => oc.columns(key as never).doUpdateSet(set as never))
      .execute();
  }
}

/** Adds `records` to the rollups; call inside the transaction that inserts them. */
export async function addToRollups(db: Kysely<Database>, records: readonly AccessLogRecord[]): Promise<void> {
  if (records.length === 0) return;
  const { rows, reasons } = rollupRecords(records);
  await upsert(db, 'access_log_rollups', rows.map(rollupRow), ROLLUP_KEY, ROLLUP_SUMS);
  await upsert(db, 'access_log_rollup_reasons', reasons.map(reasonRow), REASON_KEY, ['requests']);
}

