/** The admin audit trail: who did what to which resource, with before/after, allowed or denied. Append-only. */
import type { Selectable, SelectQueryBuilder } from 'kysely';
import type { AuditEventsTable, Database } from './database.js';
import { type Page, decodeCursor, encodeCursor, pageLimit } from './list-page.js';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';

/** An audit event to record. `before`/`after` are any JSON value (secrets must be removed by the caller). */
export interface AuditEventInput {
  at?: number;
  actor: string;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: unknown;
  after?: unknown;
  outcome: 'allowed' | 'denied';
}

/** A recorded audit event. */
export interface AuditEvent {
  id: number;
  at: number;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
  outcome: 'allowed' | 'denied';
}

export interface AuditFilter {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: 'allowed' | 'denied';
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const parse = (t: string | null): unknown => (t === null ? null : JSON.parse(t));

function toEvent(r: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    action: r.action,
    resourceType: r.resource_type,
    resourceId: r.resource_id,
    before: parse(r.before),
    after: parse(r.after),
    outcome: r.outcome,
  };
}

/** Records one audit event; pass a transaction to record it atomically with the change. */
export async function appendAuditEvent(q: Queryable, e: AuditEventInput): Promise<AuditEvent> {
  const row = await withStoreErrors('recording an audit event', () =>
    dbOf(q)
      .insertInto('audit_events')
      .values({
        at: e.at ?? Date.now(),
        actor: e.actor,
        action: e.action,
        resource_type: e.resourceType,
        resource_id: e.resourceId ?? null,
        before: json(e.before),
        after: json(e.after),
        outcome: e.outcome,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  return toEvent(row);
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

/** Lists audit events newest first, keyset-paginated on id. */
export async function listAuditEvents(q: Queryable, filter: AuditFilter = {}, opts: { limit?: number; cursor?: string | null } = {}): Promise<Page<AuditEvent>> {
  const limit = pageLimit(opts.limit);
  const before = opts.cursor ? decodeCursor(opts.cursor, (v): v is { id: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { id: unknown }).id)).id : undefined;
  const rows = await withStoreErrors('listing audit events', () => {
    let query = applyFilter(dbOf(q).selectFrom('audit_events').selectAll(), filter);
    if (before !== undefined) query = query.where('id', '<', before);
    return query.orderBy('id', 'desc').limit(limit + 1).execute();
  });
  const items = rows.slice(0, limit).map(toEvent);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
}

/**
 * Yields every matching audit event oldest first, keyset on id, `chunkSize` rows per query: memory
 * stays bounded whatever the result size and no connection is held between chunks (exports).
 */
export async function* streamAuditEvents(q: Queryable, filter: AuditFilter = {}, chunkSize = 500): AsyncGenerator<AuditEvent> {
  let afterId = 0;
  for (;;) {
    const rows = await withStoreErrors('streaming audit events', () =>
      applyFilter(dbOf(q).selectFrom('audit_events').selectAll(), filter).where('id', '>', afterId).orderBy('id', 'asc').limit(chunkSize).execute(),
    );
    for (const row of rows) yield toEvent(row);
    const last = rows[rows.length - 1];
    if (!last || rows.length < chunkSize) return;
    afterId = Number(last.id);
  }
}
