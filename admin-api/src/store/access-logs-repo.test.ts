import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccessLogsOlderThan, insertAccessLogs, searchAccessLogs, streamAccessLogs } from './access-logs-repo.js';
import type { AccessLogRecord } from './access-log-record.js';
import { openStore, type Store } from './open-store.js';
import { DIALECTS, createTestDatabase, type TestDatabase } from './test-databases.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const N = 10_000;

function record(i: number): AccessLogRecord {
  return {
    at: T0 + i * 1000,
    service: i % 2 ? 'orders' : 'billing',
    requestId: `req-${i}`,
    principal: `user-${i % 10}`,
    apiKeyId: i % 5 === 0 ? 'key-1' : null,
    routeId: `route-${i % 3}`,
    method: 'GET',
    path: `/items/${i}`,
    status: i % 7 === 0 ? 403 : 200,
    decision: i % 7 === 0 ? 'deny' : 'allow',
    reason: i % 7 === 0 ? 'MISSING_PERMISSION' : 'GRANTED',
    client: '10.0.0.1',
    latencyMs: 1.25,
  };
}

describe.each(DIALECTS)('access logs on %s', (dialect) => {
  let target: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    target = await createTestDatabase(dialect);
    store = await openStore(target.url);
    expect(await insertAccessLogs(store, Array.from({ length: N }, (_, i) => record(i)))).toBe(N);
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await target.drop();
  });

  it('searches with filters, newest first, and pages with the cursor', async () => {
    const denied = await searchAccessLogs(store, { decision: 'deny', principal: 'user-7' }, { limit: 3 });
    const expected = Array.from({ length: N }, (_, i) => i).filter((i) => i % 7 === 0 && i % 10 === 7).reverse();
    expect(denied.items.map((r) => r.requestId)).toEqual(expected.slice(0, 3).map((i) => `req-${i}`));
    expect(denied.items[0]).toMatchObject({ status: 403, reason: 'MISSING_PERMISSION', latencyMs: 1.25, at: T0 + expected[0]! * 1000 });
    const next = await searchAccessLogs(store, { decision: 'deny', principal: 'user-7' }, { limit: 3, cursor: denied.nextCursor });
    expect(next.items.map((r) => r.requestId)).toEqual(expected.slice(3, 6).map((i) => `req-${i}`));

    const window = await searchAccessLogs(store, { from: T0 + 100_000, to: T0 + 110_000, apiKeyId: 'key-1', routeId: 'route-0' }, { order: 'asc' });
    expect(window.items.map((r) => r.requestId)).toEqual(['req-105']);
    const forbidden = await searchAccessLogs(store, { statusMin: 400, statusMax: 499, service: 'orders' }, { limit: 1000 });
    expect(forbidden.items.every((r) => r.status === 403 && r.service === 'orders')).toBe(true);
    expect((await searchAccessLogs(store, { requestId: 'req-42' })).items).toHaveLength(1);
  });

  it('streams every matching record in order, in bounded chunks', async () => {
    let count = 0;
    let lastAt = -Infinity;
    for await (const r of streamAccessLogs(store, {}, 700)) {
      expect(r.at).toBeGreaterThan(lastAt);
      lastAt = r.at;
      count++;
    }
    expect(count).toBe(N);
    let billing = 0;
    for await (const r of streamAccessLogs(store, { service: 'billing' }, 1000)) if (r.service === 'billing') billing++;
    expect(billing).toBe(N / 2);
  });

  it('retention deletes records older than the cutoff', async () => {
    expect(await deleteAccessLogsOlderThan(store, T0 + 1000 * 1000)).toBe(1000);
    const oldest = await searchAccessLogs(store, {}, { order: 'asc', limit: 1 });
    expect(oldest.items[0]?.requestId).toBe('req-1000');
  });
});
