import { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Store } from './open-store.js';

/** What every repository function runs on: the store, or a transaction (`store.db.transaction().execute(trx => …)`). */
export type Queryable = Store | Kysely<Database>;

/** The Kysely instance behind a Queryable. */
export function dbOf(q: Queryable): Kysely<Database> {
  return q instanceof Kysely ? q : q.db;
}

/** Runs `fn` in a transaction: the caller's if `q` already is one, else a new one. */
export async function inTransaction<T>(q: Queryable, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = dbOf(q);
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
