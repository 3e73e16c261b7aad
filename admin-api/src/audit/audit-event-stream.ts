/**
 * Streams audit events for exports, oldest first, keyset on id: one query per chunk, so memory
 * stays bounded whatever the result size and no connection is held between chunks. (The store's
 * listAuditEvents serves the pages; this is its streaming counterpart.)
 */
import type { Selectable, SelectQueryBuilder } from 'kysely';
import type { AuditEvent, AuditEventsTable, AuditFilter, Database, Store } from '../store/index.js';
import { withStoreErrors } from '../store/map-driver-error.js';
import { dbOf } from '../store/queryable.js';

const parseJson = (t: string | null): unknown => (t === null ? null : JSON.parse(t));

function toEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    before: parseJson(r.before),
    after: parseJson(r.after),
    outcome: r.outcome,
  };
}

function applyFilter<O>(query: SelectQueryBuilder<Database, 'audit_events', O>, f: AuditFilter): SelectQueryBuilder<Database, 'audit_events', O> {
  let qb = query;
  if (f.from !== undefined) qb = qb.where('at', '>=', f.from);
  if (f.to !== undefined) qb = qb.where('at', '<', f.to);
  if (f.actor !== undefined) qb = qb.where('actor', '=', f.actor);
  if (f.action !== undefined) qb = qb.where('action', '=', f.action);
  if (f.resourceType !== undefined) qb = qb.where('resource_type', '=', f.resourceType);
  if (f.resourceId !== undefined) qb = qb.where('resource_id', '=', f.resourceId);
  if (f.outcome !== undefined) qb = qb.where('outcome', '=', f.outcome);
  return qb;
}

/** Yields every matching audit event in id order, `chunkSize` rows per query. */
export async function* streamAuditEvents(store: Store, filter: AuditFilter = {}, chunkSize = 500): AsyncGenerator<AuditEvent> {
  let afterId = 0;
  for (;;) {
    const rows = await withStoreErrors('streaming audit events', () =>
      applyFilter(dbOf(store).selectFrom('audit_events').selectAll(), filter).where('id', '>', afterId).orderBy('id', 'asc').limit(chunkSize).execute(),
    );
    for (const row of rows) yield toEvent(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < chunkSize) return;
    afterId = Number(last.id);
  }
}
