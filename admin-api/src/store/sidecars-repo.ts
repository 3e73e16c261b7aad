/**
 * The sidecar fleet (table `sidecars`): one row per (service, instance id), upserted by each status report and
 * by access-log batches (which add their `dropped` counts to the `access_logs_dropped` counter).
 */
import type { SidecarStatusReport } from '@agentcore/policies';
import type { SidecarsTable } from './database.js';
import type { Queryable } from './queryable.js';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, inTransaction } from './queryable.js';

/** Counter kept by the control plane: access-log records the sidecar reported dropped. */
export const DROPPED_COUNTER = 'access_logs_dropped';

/** A sidecar as last reported. */
export interface SidecarRecord {
  service: string;
  instanceId: string;
  host: string;
  appliedRevision: number | null;
  rejectedRevision: number | null;
  rejectionReason: string | null;
  uptimeMs: number | null;
  counters: Record<string, number>;
  lastSeen: number;
}

const counters = (text: string | null): Record<string, number> => (text === null ? {} : (JSON.parse(text) as Record<string, number>));

const toRecord = (r: SidecarsTable): SidecarRecord => ({
  service: r.service,
  instanceId: r.instance_id,
  host: r.host,
  appliedRevision: r.applied_revision,
  rejectedRevision: r.rejected_revision,
  rejectionReason: r.rejection_reason,
  uptimeMs: r.uptime_ms === null ? null : Number(r.uptime_ms),
  counters: counters(r.counters),
  lastSeen: Number(r.last_seen),
});

/** Records a status report of a sidecar of `service` (last_seen = now); keeps the control plane's own counters. */
export async function upsertSidecarStatus(q: Queryable, service: string, report: SidecarStatusReport, now = Date.now()): Promise<void> {
  await withStoreErrors(`status of sidecar "${report.instance_id}"`, () =>
    inTransaction(q, async (trx) => {
      const prev = await trx.selectFrom('sidecars').select('counters').where('service', '=', service).where('instance_id', '=', report.instance_id).executeTakeFirst();
      const dropped = prev ? counters(prev.counters)[DROPPED_COUNTER] : undefined;
      const row: SidecarsTable = {
        service,
        instance_id: report.instance_id,
        host: report.host,
        applied_revision: report.applied_revision,
        rejected_revision: report.rejected_revision,
        rejection_reason: report.rejection_reason,
        uptime_ms: Math.round(report.uptime_s * 1000),
        counters: JSON.stringify({ ...report.counters, ...(dropped !== undefined ? { [DROPPED_COUNTER]: dropped } : {}) }),
        last_seen: now,
      };
      const { service: _s, instance_id: _i, ...update } = row;
      await trx.insertInto('sidecars').values(row).onConflict((oc) => oc.columns(['service', 'instance_id']).doUpdateSet(update)).execute();
    }),
  );
}

/** Adds `dropped` to the sidecar's dropped-records counter (creating its row if it never reported status). */
export async function addDroppedAccessLogs(q: Queryable, service: string, instanceId: string, dropped: number, now = Date.now()): Promise<void> {
  if (dropped <= 0) return;
  await withStoreErrors(`counters of sidecar "${instanceId}"`, () =>
    inTransaction(q, async (trx) => {
      const prev = await trx.selectFrom('sidecars').select('counters').where('service', '=', service).where('instance_id', '=', instanceId).executeTakeFirst();
      if (!prev) {
        await trx
          .insertInto('sidecars')
          .values({ service, instance_id: instanceId, host: '', applied_revision: null, rejected_revision: null, rejection_reason: null, uptime_ms: null, counters: JSON.stringify({ [DROPPED_COUNTER]: dropped }), last_seen: now })
          .execute();
        return;
      }
      const c = counters(prev.counters);
      c[DROPPED_COUNTER] = (c[DROPPED_COUNTER] ?? 0) + dropped;
      await trx.updateTable('sidecars').set({ counters: JSON.stringify(c), last_seen: now }).where('service', '=', service).where('instance_id', '=', instanceId).execute();
    }),
  );
}

/** The fleet (of one service, or all), by service then instance id. */
export async function listSidecars(q: Queryable, service?: string): Promise<SidecarRecord[]> {
  const rows = await withStoreErrors('listing sidecars', () => {
    let query = dbOf(q).selectFrom('sidecars').selectAll();
    if (service !== undefined) query = query.where('service', '=', service);
    return query.orderBy('service').orderBy('instance_id').limit(10_000).execute();
  });
  return rows.map(toRecord);
}

/** The latest revision number of each service that has one (of one service, or all). */
export async function latestRevisionNumbers(q: Queryable, service?: string): Promise<Map<string, number>> {
  const rows = await withStoreErrors('latest revisions', () => {
    let query = dbOf(q)
      .selectFrom('bundle_revisions')
      .select((eb) => ['service', eb.fn.max<number>('revision').as('latest')])
      .groupBy('service');
    if (service !== undefined) query = query.where('service', '=', service);
    return query.execute();
  });
  return new Map(rows.map((r) => [r.service, Number(r.latest)]));
}
