/**
 * Migration 006_access_log_rollups: the per-minute and per-hour rollups of access logs behind
 * `GET /api/v1/access-logs/stats`, backfilled from the records already stored (with the same
 * accumulation the ingest uses, in keyset chunks, so memory stays bounded).
 */
import type { Kysely, Migration } from 'kysely';
import { fromAccessLogRow } from './access-log-record.js';
import { HISTOGRAM_COLUMNS } from './access-log-rollup.js';
import { addToRollups } from './access-log-rollup-upsert.js';
import type { Database } from './database.js';

/** Records read per backfill step. */
const BACKFILL_CHUNK = 20_000;

async function backfill(db: Kysely<Database>): Promise<void> {
  let after = -1;
  for (;;) {
    const rows = await db.selectFrom('access_logs').selectAll().where('id', '>', after).orderBy('id').limit(BACKFILL_CHUNK).execute();
    if (rows.length === 0) return;
    await addToRollups(db, rows.map(fromAccessLogRow));
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** The rollup tables, then the backfill. */
export function accessLogRollupsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      let rollups = db.schema
        .createTable('access_log_rollups')
        .addColumn('period', 'integer', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('requests', 'integer', (c) => c.notNull())
        .addColumn('rate_limited', 'integer', (c) => c.notNull())
        .addColumn('denied', 'integer', (c) => c.notNull())
        .addColumn('errors', 'integer', (c) => c.notNull());
      for (const h of HISTOGRAM_COLUMNS) rollups = rollups.addColumn(h, 'integer', (c) => c.notNull().defaultTo(0));
      await rollups.addPrimaryKeyConstraint('access_log_rollups_pk', ['period', 'start', 'service', 'route']).execute();
      await db.schema
        .createTable('access_log_rollup_reasons')
        .addColumn('period', 'integer', (c) => c.notNull())
        .addColumn('start', 'bigint', (c) => c.notNull())
        .addColumn('service', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('decision', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('requests', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('access_log_rollup_reasons_pk', ['period', 'start', 'service', 'route', 'decision', 'reason'])
        .execute();
      // The reason-code filter of search and export leads with its column, like the other filters.
      await db.schema.createIndex('access_logs_reason_idx').on('access_logs').columns(['reason', 'at']).execute();
      await backfill(db as Kysely<Database>);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('access_logs_reason_idx').ifExists().execute();
      for (const t of ['access_log_rollup_reasons', 'access_log_rollups']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
