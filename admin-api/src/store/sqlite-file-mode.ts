/**
 * The SQLite database holds password hashes, token digests and the bundle signing key: it is created owner-only.
 * A new data directory is created 0700; the database file 0600 before SQLite opens it (SQLite then creates its
 * -wal and -shm files with the database file's permissions). An existing file readable by group or others (an
 * install from before this rule) is tightened to 0600, with its -wal/-shm; an existing directory is left alone.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Owner read/write only. */
export const DB_FILE_MODE = 0o600;
/** Owner only. */
export const DATA_DIR_MODE = 0o700;

/** Prepares `file` for SQLite: directory 0700 (when created here), file and its -wal/-shm 0600. Returns what it tightened. */
export function prepareSqliteFile(file: string): string[] {
  mkdirSync(dirname(resolve(file)), { recursive: true, mode: DATA_DIR_MODE });
  if (!existsSync(file)) closeSync(openSync(file, 'a', DB_FILE_MODE));
  const tightened: string[] = [];
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) {
    if (!existsSync(f)) continue;
    if ((statSync(f).mode & 0o077) === 0) continue;
    try {
      chmodSync(f, DB_FILE_MODE);
      tightened.push(f);
    } catch {
      // not ours to change (another owner): SQLite still opens it; nothing leaks that was not already readable
    }
  }
  return tightened;
}
