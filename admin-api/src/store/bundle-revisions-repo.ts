/**
 * Published bundle revisions of each service: monotonic per service, unique
 * (service, revision), never updated. Publishing picks the next number inside a
 * transaction and retries when a concurrent publish took it first.
 */
import type { BundleRevisionsTable } from './database.js';
import { type Page, decodeCursor, encodeCursor, pageLimit } from './list-page.js';
import { classifyDriverError, toStoreError, withStoreErrors } from './map-driver-error.js';
import type { Store } from './open-store.js';
import { dbOf, type Queryable } from './queryable.js';
import { StoreError } from './store-error.js';

/** A published revision. `content` is the bundle JSON text exactly as hashed and signed. */
export interface BundleRevision {
  service: string;
  revision: number;
  hash: string;
  content: string;
  signature: string;
  createdAt: number;
  createdBy: string;
}

/** What a publisher makes once it knows its revision number (the number is part of the signed content). */
export interface RevisionContent {
  hash: string;
  content: string;
  signature: string;
}

function toRevision(row: BundleRevisionsTable): BundleRevision {
  return {
    service: row.service,
    revision: row.revision,
    hash: row.hash,
    content: row.content,
    signature: row.signature,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

/** The number the next publish of `service` would get: highest revision + 1 (1 for the first). */
export async function nextRevision(q: Queryable, service: string): Promise<number> {
  const row = await withStoreErrors(`revisions of "${service}"`, () =>
    dbOf(q)
      .selectFrom('bundle_revisions')
      .select((eb) => eb.fn.max<number | null>('revision').as('max'))
      .where('service', '=', service)
      .executeTakeFirst(),
  );
  return (row?.max == null ? 0 : Number(row.max)) + 1;
}

/**
 * Publishes a new revision of `service`: in one transaction, takes the next
 * number, calls `build(revision)` for the content, inserts it. PostgreSQL locks
 * the service row so concurrent publishes queue; on either dialect a unique
 * violation (a concurrent publish won) retries with the next number.
 */
export async function publishRevision(
  store: Store,
  service: string,
  createdBy: string,
  build: (revision: number) => RevisionContent | Promise<RevisionContent>,
  attempts = 5,
): Promise<BundleRevision> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.db.transaction().execute(async (trx) => {
        let lock = trx.selectFrom('services').select('name').where('name', '=', service);
        if (store.dialect === 'postgres') lock = lock.forUpdate();
        if (!(await lock.executeTakeFirst())) throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${service}" does not exist`);
        const revision = await nextRevision(trx, service);
        const made = await build(revision);
        const row: BundleRevisionsTable = { service, revision, ...made, created_at: Date.now(), created_by: createdBy };
        await trx.insertInto('bundle_revisions').values(row).execute();
        return toRevision(row);
      });
    } catch (err) {
      if (classifyDriverError(err) === 'unique' && attempt < attempts) continue;
      const mapped = toStoreError(err, `revision of "${service}"`);
      throw mapped;
    }
  }
}

/** Revision `revision` of `service`, or ADMIN_STORE_NOT_FOUND. */
export async function getRevision(q: Queryable, service: string, revision: number): Promise<BundleRevision> {
  const row = await withStoreErrors(`revision ${revision} of "${service}"`, () =>
    dbOf(q).selectFrom('bundle_revisions').selectAll().where('service', '=', service).where('revision', '=', revision).executeTakeFirst(),
  );
  if (!row) throw new StoreError('ADMIN_STORE_NOT_FOUND', `service "${service}" has no revision ${revision}`);
  return toRevision(row);
}

/** The newest revision of `service`, or undefined when none was published. */
export async function getLatestRevision(q: Queryable, service: string): Promise<BundleRevision | undefined> {
  const row = await withStoreErrors(`latest revision of "${service}"`, () =>
    dbOf(q).selectFrom('bundle_revisions').selectAll().where('service', '=', service).orderBy('revision', 'desc').limit(1).executeTakeFirst(),
  );
  return row ? toRevision(row) : undefined;
}

/** Revision history of `service`, newest first, without content (keyset on revision). */
export async function listRevisions(
  q: Queryable,
  service: string,
  opts: { limit?: number; cursor?: string | null } = {},
): Promise<Page<Omit<BundleRevision, 'content' | 'signature'>>> {
  const limit = pageLimit(opts.limit);
  const before = opts.cursor ? decodeCursor(opts.cursor, (v): v is { r: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { r: unknown }).r)).r : undefined;
  const rows = await withStoreErrors(`revisions of "${service}"`, () => {
    let query = dbOf(q)
      .selectFrom('bundle_revisions')
      .select(['service', 'revision', 'hash', 'created_at', 'created_by'])
      .where('service', '=', service);
    if (before !== undefined) query = query.where('revision', '<', before);
    return query.orderBy('revision', 'desc').limit(limit + 1).execute();
  });
  const items = rows.slice(0, limit).map((r) => ({ service: r.service, revision: r.revision, hash: r.hash, createdAt: r.created_at, createdBy: r.created_by }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ r: last.revision }) : null };
}
