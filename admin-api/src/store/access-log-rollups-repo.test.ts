import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAccessLogs, openStore, sumRollups, type AccessLogRecord, type Store } from './index.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './test-databases.js';

const T0 = Date.parse('2030-05-01T00:00:00Z');

const batch = (k: number): AccessLogRecord[] =>
  Array.from({ length: 500 }, (_, i) => ({
    at: T0 + ((i * 7 + k) % 180) * 1000,
    service: i % 2 ? 'a' : 'b',
    requestId: null,
    principal: null,
    apiKeyId: null,
    routeId: `r${i % 3}`,
    method: 'GET',
    path: '/',
    status: i % 10 === 0 ? 429 : 200,
    decision: i % 10 === 0 ? 'deny' : 'allow',
    reason: i % 10 === 0 ? 'RATE_LIMITED' : 'GRANTED',
    client: null,
    latencyMs: 1 + (i % 50),
  }));

describe.each(DIALECTS)('rollups under concurrent ingest on %s', (dialect) => {
  let target: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    target = await createTestDatabase(dialect);
    store = await openStore(target.url);
  });
  afterAll(async () => {
    await store?.close();
    await target?.drop();
  });

  it('eight batches of the same minutes at once add up, without a deadlock or a lost update', async () => {
    await Promise.all(Array.from({ length: 8 }, (_, k) => insertAccessLogs(store, batch(k))));
    for (const period of [60_000, 3_600_000]) {
      const { rows, reasons } = await sumRollups(store, { period, from: T0 - 3_600_000, to: T0 + 3_600_000, bucketMs: 3_600_000, groupBy: 'none' });
      expect(rows.map((r) => [r.requests, r.rateLimited, r.denied, r.hist.reduce((a, b) => a + b, 0)])).toEqual([[4000, 400, 400, 4000]]);
      expect(reasons.map((r) => [r.decision, r.reason, r.requests])).toEqual([['deny', 'RATE_LIMITED', 400]]);
    }
  }, 60_000);
});
