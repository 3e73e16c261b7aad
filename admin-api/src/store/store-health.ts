/** Readiness of the store: the database answers and every migration of this build is applied. */
import { sql } from 'kysely';
import { storeMigrations } from './migrations.js';
import type { Store } from './open-store.js';

/** `{ ok: true }`, or `{ ok: false, reason }` naming what is wrong (no connection string, no secrets). */
export async function checkStoreReady(store: Store): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await sql`select 1`.execute(store.db);
  } catch (err) {
    return { ok: false, reason: `database unreachable: ${(err as Error).message}` };
  }
  try {
    const rows = await sql<{ name: string }>`select name from schema_migrations`.execute(store.db);
    const applied = new Set(rows.rows.map((r) => r.name));
    const missing = Object.keys(storeMigrations(store.dialect)).filter((m) => !applied.has(m));
    return missing.length ? { ok: false, reason: `migrations not applied: ${missing.join(', ')}` } : { ok: true };
  } catch (err) {
    return { ok: false, reason: `cannot read schema_migrations: ${(err as Error).message}` };
  }
}
