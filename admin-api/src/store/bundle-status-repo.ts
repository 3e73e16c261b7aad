/**
 * Per-service publish status, kept in the store so it survives a restart: each committed policy change bumps the
 * desired sequence; a successful publish records the sequence it covered; a failed one records why, how many times
 * in a row, and when the next attempt is due. Desired state is unpublished while desired_seq > published_seq.
 */
import { sql } from 'kysely';
import type { BundlePublishStatusTable } from './database.js';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';

/** One issue of a failed publish (a compile issue, or the error's message). */
export interface PublishIssue {
  path: string;
  message: string;
}

/** The publish status of one service. */
export interface PublishStatus {
  service: string;
  desiredSeq: number;
  desiredAt: number;
  publishedSeq: number;
  publishedAt: number | null;
  /** desired state newer than what was published */
  pending: boolean;
  lastFailure: { at: number; code: string; message: string; issues: PublishIssue[] } | null;
  /** consecutive failed attempts since the last success */
  failures: number;
  nextRetryAt: number | null;
}

const toStatus = (r: BundlePublishStatusTable): PublishStatus => ({
  service: r.service,
  desiredSeq: Number(r.desired_seq),
  desiredAt: Number(r.desired_at),
  publishedSeq: Number(r.published_seq),
  publishedAt: r.published_at === null ? null : Number(r.published_at),
  pending: Number(r.desired_seq) > Number(r.published_seq),
  lastFailure:
    r.failure_at === null
      ? null
      : { at: Number(r.failure_at), code: r.failure_code ?? '', message: r.failure_message ?? '', issues: r.failure_issues ? (JSON.parse(r.failure_issues) as PublishIssue[]) : [] },
  failures: Number(r.failures),
  nextRetryAt: r.next_retry_at === null ? null : Number(r.next_retry_at),
});

/** Records a committed policy change of `service` (desired state moves ahead of the published one). */
export async function markDesired(q: Queryable, service: string, now = Date.now()): Promise<void> {
  await withStoreErrors(`publish status of "${service}"`, () =>
    dbOf(q)
      .insertInto('bundle_publish_status')
      .values({ service, desired_seq: 1, desired_at: now, published_seq: 0, published_at: null, failure_at: null, failure_code: null, failure_message: null, failure_issues: null, failures: 0, next_retry_at: null })
      .onConflict((oc) => oc.column('service').doUpdateSet({ desired_seq: sql`bundle_publish_status.desired_seq + 1`, desired_at: now }))
      .execute(),
  );
}

/** The status of `service`; undefined when it never changed since this table exists. */
export async function getPublishStatus(q: Queryable, service: string): Promise<PublishStatus | undefined> {
  const row = await withStoreErrors(`publish status of "${service}"`, () => dbOf(q).selectFrom('bundle_publish_status').selectAll().where('service', '=', service).executeTakeFirst());
  return row ? toStatus(row) : undefined;
}

/** Services whose desired state is not published (optionally one service only). */
export async function listPendingPublishes(q: Queryable, service?: string): Promise<PublishStatus[]> {
  let query = dbOf(q).selectFrom('bundle_publish_status').selectAll().whereRef('desired_seq', '>', 'published_seq');
  if (service !== undefined) query = query.where('service', '=', service);
  const rows = await withStoreErrors('pending publishes', () => query.orderBy('service').execute());
  return rows.map(toStatus);
}

/** A publish covering desired sequence `seq` succeeded: clears the failure. */
export async function recordPublished(q: Queryable, service: string, seq: number, now = Date.now()): Promise<void> {
  await withStoreErrors(`publish status of "${service}"`, () =>
    dbOf(q)
      .updateTable('bundle_publish_status')
      .set({
        published_seq: sql`case when published_seq > ${seq} then published_seq else ${seq} end`,
        published_at: now,
        failure_at: null,
        failure_code: null,
        failure_message: null,
        failure_issues: null,
        failures: 0,
        next_retry_at: null,
      })
      .where('service', '=', service)
      .execute(),
  );
}

/** A publish failed: keeps why and when, counts it, and when the next attempt is due. */
export async function recordPublishFailure(
  q: Queryable,
  service: string,
  failure: { code: string; message: string; issues: PublishIssue[] },
  now: number,
  nextRetryAt: number | null,
): Promise<void> {
  const db = dbOf(q);
  await withStoreErrors(`publish status of "${service}"`, async () => {
    // a publish asked for directly (no change recorded before) still gets its failure kept
    await db
      .insertInto('bundle_publish_status')
      .values({ service, desired_seq: 0, desired_at: now, published_seq: 0, published_at: null, failure_at: null, failure_code: null, failure_message: null, failure_issues: null, failures: 0, next_retry_at: null })
      .onConflict((oc) => oc.column('service').doNothing())
      .execute();
    await db
      .updateTable('bundle_publish_status')
      .set({ failure_at: now, failure_code: failure.code, failure_message: failure.message, failure_issues: JSON.stringify(failure.issues), failures: sql`failures + 1`, next_retry_at: nextRetryAt })
      .where('service', '=', service)
      .execute();
  });
}
