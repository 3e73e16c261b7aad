// #10 newcomer defect: data/agentcore.db was created world-readable. The store creates it (and its -wal/-shm) 0600
// in a 0700 directory, and tightens an existing world-readable file.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createService, openStore } from './index.js';

const mode = (f: string): number => statSync(f).mode & 0o777;

describe('SQLite file permissions', () => {
  it('creates the data directory 0700 and the database, -wal and -shm 0600, whatever the umask', async () => {
    const old = process.umask(0o022); // the usual umask, which made the file 0644
    try {
      const dir = join(mkdtempSync(join(tmpdir(), 'agentcore-mode-')), 'data');
      const file = join(dir, 'agentcore.db');
      const store = await openStore(`sqlite:${file}`);
      await createService(store, { name: 'orders' }); // a write, so the WAL files exist
      expect(mode(dir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('tightens an existing world-readable database file to 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcore-mode-'));
    const file = join(dir, 'old.db');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const store = await openStore(`sqlite:${file}`);
    expect(mode(file)).toBe(0o600);
    await store.close();
  });
});
