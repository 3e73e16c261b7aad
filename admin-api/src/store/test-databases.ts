/** Test support: a fresh SQLite file or PostgreSQL database per suite, removed afterwards. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL server of the test machine (trust auth); override with AGENTCORE_TEST_PG. */
export const TEST_PG_SERVER = process.env.AGENTCORE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432';

/** A throw-away database: its URL and how to remove it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database of the given dialect. */
export async function createTestDatabase(dialect: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'agentcore-store-'));
    return { url: `sqlite:${join(dir, 'nested', 'agentcore.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `agentcore_test_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${TEST_PG_SERVER}/postgres` });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return {
    url: `${TEST_PG_SERVER}/${name}`,
    async drop() {
      const c = new pg.Client({ connectionString: `${TEST_PG_SERVER}/postgres` });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** The dialects every store suite runs on (`describe.each(DIALECTS)`). */
export const DIALECTS = [['sqlite'], ['postgres']] as const;
