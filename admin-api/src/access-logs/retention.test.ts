import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { insertAccessLogs, openStore, searchAccessLogs, type AccessLogRecord, type Store } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startRetention } from './retention.js';

const DAY = 86_400_000;
const log = pino({ level: 'silent' });

const record = (ageDays: number, id: string): AccessLogRecord => ({
  at: Date.now() - ageDays * DAY,
  service: 'orders',
  requestId: id,
  principal: null,
  apiKeyId: null,
  routeId: null,
  method: 'GET',
  path: '/',
  status: 200,
  decision: 'allow',
  reason: null,
  client: null,
  latencyMs: null,
});

describe('access-log retention', () => {
  let target: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    target = await createTestDatabase('sqlite');
    store = await openStore(target.url);
  });
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it('deletes records older than the retention period and keeps the rest', async () => {
    await insertAccessLogs(store, [record(400, 'ancient'), record(31, 'old'), record(29.9, 'recent'), record(0, 'now')]);
    const retention = startRetention({ store, log, retentionDays: 30 });
    try {
      expect(await retention.runOnce()).toBe(2);
      expect(await retention.runOnce()).toBe(0);
    } finally {
      retention.stop();
    }
    const left = await searchAccessLogs(store, {}, { order: 'asc' });
    expect(left.items.map((r) => r.requestId)).toEqual(['recent', 'now']);
  });

  it('runs by itself: once at start, then every interval', async () => {
    const gone = async (id: string) => {
      for (let i = 0; i < 60; i++) {
        if ((await searchAccessLogs(store, { requestId: id })).items.length === 0) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    await insertAccessLogs(store, [record(10, 'before-start')]);
    const retention = startRetention({ store, log, retentionDays: 5, intervalMs: 1000 });
    try {
      expect(await gone('before-start')).toBe(true);
      await insertAccessLogs(store, [record(10, 'after-start')]);
      expect(await gone('after-start')).toBe(true);
    } finally {
      retention.stop();
    }
  });

  it.each([0, -1, Number.NaN])('refuses a retention of %s days', (days) => {
    expect(() => startRetention({ store, log, retentionDays: days })).toThrow(/positive number of days/);
  });
});
