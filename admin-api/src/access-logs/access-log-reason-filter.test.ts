import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAccessLogs, type AccessLogRecord } from '../store/index.js';
import { startLogsServer, type LogsTestServer } from './test-logs-server.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const REASONS = ['GRANTED', 'MISSING_PERMISSION', 'RATE_LIMITED', 'INVALID_KEY', null] as const;

const RECORDS: AccessLogRecord[] = Array.from({ length: 100 }, (_, i) => {
  const reason = REASONS[i % REASONS.length]!;
  return {
    at: T0 + i * 1000,
    service: i % 2 ? 'orders' : 'billing',
    requestId: `req-${i}`,
    principal: 'alice',
    apiKeyId: null,
    routeId: 'list',
    method: 'GET',
    path: '/x',
    status: reason === 'GRANTED' ? 200 : reason === 'RATE_LIMITED' ? 429 : 403,
    decision: reason === 'GRANTED' ? 'allow' : 'deny',
    reason,
    client: null,
    latencyMs: 1,
  };
});

describe('access-log reason-code filter (search and export)', () => {
  let srv: LogsTestServer;
  beforeAll(async () => {
    srv = await startLogsServer();
    await insertAccessLogs(srv.store, RECORDS);
  });
  afterAll(async () => srv?.close());

  const ids = (keep: (r: AccessLogRecord) => boolean) => RECORDS.filter(keep).map((r) => r.requestId);
  const CASES: [string, (r: AccessLogRecord) => boolean][] = [
    ['reason=RATE_LIMITED', (r) => r.reason === 'RATE_LIMITED'],
    ['reason=RATE_LIMITED,INVALID_KEY', (r) => r.reason === 'RATE_LIMITED' || r.reason === 'INVALID_KEY'],
    ['reason=RATE_LIMITED&reason=MISSING_PERMISSION&service=orders', (r) => r.service === 'orders' && (r.reason === 'RATE_LIMITED' || r.reason === 'MISSING_PERMISSION')],
    ['reason=%20GRANTED%20,GRANTED', (r) => r.reason === 'GRANTED'],
    ['reason=NEVER_SEEN', () => false],
  ];

  it.each(CASES)('search with %s returns exactly the matching records', async (query, keep) => {
    const r = await srv.getJson(`/api/v1/access-logs?${query}&order=asc&limit=1000`);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: { requestId: string }) => x.requestId)).toEqual(ids(keep));
  });

  it.each(CASES)('export with %s holds exactly the matching records', async (query, keep) => {
    const r = await srv.get(`/api/v1/access-logs/export?${query}&format=csv`);
    expect(r.status).toBe(200);
    const rows = r.text.split('\r\n').filter(Boolean).slice(1);
    expect(rows.map((line) => line.split(',')[3])).toEqual(ids(keep));
  });

  it.each([
    'reason=missing_permission',
    'reason=A,,B',
    'reason=',
    'reason=DROP%20TABLE',
    `reason=${Array.from({ length: 21 }, (_, i) => `R${i}`).join(',')}`,
  ])('rejects %s with 400 on query.reason (search and export)', async (query) => {
    for (const path of ['/api/v1/access-logs', '/api/v1/access-logs/export']) {
      const r = await srv.getJson(`${path}?${query}`);
      expect(r.status).toBe(400);
      expect(r.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(['query.reason']);
    }
  });
});
