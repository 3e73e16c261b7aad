import { get as httpGet } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAccessLogs, type AccessLogRecord } from '../store/index.js';
import { fillAccessLogs, startLogsServer, type LogsTestServer } from './test-logs-server.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;
const STATUSES = [200, 201, 403, 404, 429, 500] as const;

function record(i: number): AccessLogRecord {
  const status = STATUSES[i % STATUSES.length]!;
  return {
    at: T0 + i * MIN,
    service: i % 2 ? 'orders' : 'billing',
    requestId: `req-${i}`,
    principal: `user-${i % 5}`,
    apiKeyId: i % 3 === 0 ? 'key-a' : i % 3 === 1 ? 'key-b' : null,
    routeId: `route-${i % 4}`,
    method: 'GET',
    path: `/items/${i}`,
    status,
    decision: status < 400 ? 'allow' : 'deny',
    reason: status < 400 ? 'GRANTED' : 'DENIED',
    client: '10.0.0.1',
    latencyMs: 2.5,
  };
}

/** Principals that need CSV quoting or formula neutralisation, and how the export must write them. */
const TRICKY: [string, string][] = [
  ['=cmd|\' /C calc\'!A0', '\'=cmd|\' /C calc\'!A0'],
  ['+1+2', '\'+1+2'],
  ['-2+3', '\'-2+3'],
  ['@SUM(A1:A9)', '\'@SUM(A1:A9)'],
  ['a,b', 'a,b'],
  ['say "hi"', 'say "hi"'],
  ['line\nbreak', 'line\nbreak'],
  ['cr\rhere', 'cr\rhere'],
  ['=HYPERLINK("http://x","y"),z', '\'=HYPERLINK("http://x","y"),z'],
  ['plain', 'plain'],
];

const N = 120;
const FIXTURE: AccessLogRecord[] = Array.from({ length: N }, (_, i) => record(i));
const TRICKY_RECORDS: AccessLogRecord[] = TRICKY.map(([principal], k) => ({ ...record(0), at: T0 - (k + 1) * MIN, service: 'tricky', requestId: `tricky-${k}`, principal }));

/** A minimal RFC 4180 parser for the assertions (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('access-log endpoints', () => {
  let srv: LogsTestServer;
  beforeAll(async () => {
    srv = await startLogsServer();
    await insertAccessLogs(srv.store, [...FIXTURE, ...TRICKY_RECORDS]);
  });
  afterAll(async () => srv.close());

  /** Walks every page of a search and returns the request ids in order. */
  async function searchAll(query: string, limit = 1000): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const sep = query ? '&' : '';
      const r = await srv.getJson(`/api/v1/access-logs?${query}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ids.push(...r.body.items.map((x: { requestId: string }) => x.requestId));
      cursor = r.body.nextCursor;
      if (cursor === null) return ids;
    }
    throw new Error('too many pages');
  }

  const iso = (ms: number) => new Date(ms).toISOString();
  it.each<[string, (r: AccessLogRecord) => boolean]>([
    ['service=orders', (r) => r.service === 'orders'],
    ['principal=user-3', (r) => r.principal === 'user-3'],
    ['apiKey=key-b', (r) => r.apiKeyId === 'key-b'],
    ['route=route-2', (r) => r.routeId === 'route-2'],
    ['status=403', (r) => r.status === 403],
    ['status=4xx', (r) => r.status >= 400 && r.status < 500],
    ['status=5xx', (r) => r.status >= 500],
    ['status=2xx', (r) => r.status < 300],
    ['decision=deny', (r) => r.decision === 'deny'],
    ['requestId=req-7', (r) => r.requestId === 'req-7'],
    [`from=${iso(T0 + 10 * MIN)}&to=${T0 + 20 * MIN}`, (r) => r.at >= T0 + 10 * MIN && r.at < T0 + 20 * MIN],
    [`from=${encodeURIComponent('2030-01-01T01:00:00+01:00')}&to=2030-01-01T00:05:00Z`, (r) => r.at >= T0 && r.at < T0 + 5 * MIN],
    ['to=2030-01-01', (r) => r.at < T0],
    ['service=orders&decision=deny&status=4xx&route=route-1', (r) => r.service === 'orders' && r.decision === 'deny' && r.status < 500 && r.routeId === 'route-1'],
    ['principal=nobody', () => false],
  ])('filters by %s', async (query, keep) => {
    const expected = [...FIXTURE, ...TRICKY_RECORDS].filter(keep).sort((a, b) => b.at - a.at).map((r) => r.requestId);
    expect(expected.length === 0 || expected.length < N).toBe(true);
    expect(await searchAll(query)).toEqual(expected);
  });

  it.each(['desc', 'asc'] as const)('pages %s with the cursor without duplicates or gaps', async (order) => {
    const ids = await searchAll(`service=orders&order=${order}`, 7);
    const expected = FIXTURE.filter((r) => r.service === 'orders').map((r) => r.requestId);
    expect(ids).toEqual(order === 'asc' ? expected : [...expected].reverse());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('returns records in the API view', async () => {
    const r = await srv.getJson('/api/v1/access-logs?requestId=req-2');
    expect(r.body).toEqual({
      items: [
        {
          id: expect.any(Number), at: iso(T0 + 2 * MIN), service: 'billing', requestId: 'req-2', principal: 'user-2', apiKeyId: null, routeId: 'route-2',
          method: 'GET', path: '/items/2', status: 403, decision: 'deny', reason: 'DENIED', client: '10.0.0.1', latencyMs: 2.5,
        },
      ],
      nextCursor: null,
    });
  });

  it.each<[string, string[]]>([
    ['from=yesterday', ['query.from']],
    ['to=2030-01-01T00:00:00', ['query.to']],
    ['from=2030-13-45', ['query.from']],
    ['status=4x', ['query.status']],
    ['status=600', ['query.status']],
    ['limit=0', ['query.limit']],
    ['limit=1001', ['query.limit']],
    ['limit=ten', ['query.limit']],
    ['order=up', ['query.order']],
    ['decision=DROP%20TABLE', ['query.decision']],
    ['from=2030-01-02&to=2030-01-01', ['query.to']],
    ['from=x&status=y&limit=-1', ['query.from', 'query.status', 'query.limit']],
    ['service=a&service=b', ['query.service']],
    ['principle=alice', ['query']],
    ['cursor=not-a-cursor', ['cursor']],
  ])('rejects %s with 400 and the field paths', async (query, paths) => {
    const r = await srv.getJson(`/api/v1/access-logs?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_REQUEST');
    expect(r.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual([...paths].sort());
  });

  it.each<[string, string[]]>([
    ['format=xml', ['query.format']],
    ['status=4x&format=csv', ['query.status']],
    ['limit=10', ['query']],
  ])('rejects an export with %s', async (query, paths) => {
    const r = await srv.getJson(`/api/v1/access-logs/export?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(paths);
  });

  it.each<[string | null, number, number]>([
    ['owner', 200, 200],
    ['security-admin', 200, 200],
    ['auditor', 200, 200],
    ['platform-engineer', 403, 403],
    [null, 401, 401],
  ])('lets %s search (%i) and export (%i)', async (role, search, exported) => {
    const as = role as Parameters<LogsTestServer['get']>[1];
    expect((await srv.get('/api/v1/access-logs?limit=1', as)).status).toBe(search);
    expect((await srv.get('/api/v1/access-logs/export?service=orders', as)).status).toBe(exported);
  });

  it('exports NDJSON: one parseable record per line, oldest first, as a named attachment', async () => {
    const r = await srv.get(`/api/v1/access-logs/export?format=ndjson&from=2030-01-01T00:00:00Z&to=${T0 + 24 * 3600_000}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-ndjson');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="access-logs-20300101T000000Z-20300102T000000Z.ndjson"');
    expect(r.text.endsWith('\n')).toBe(true);
    const lines = r.text.slice(0, -1).split('\n').map((l) => JSON.parse(l) as { requestId: string; at: string });
    expect(lines.map((l) => l.requestId)).toEqual(FIXTURE.map((f) => f.requestId));
    expect(lines[3]).toMatchObject({ at: iso(T0 + 3 * MIN), status: 404, decision: 'deny', latencyMs: 2.5 });
  });

  it('exports CSV with a header row, RFC 4180 quoting and neutralised formulas', async () => {
    const r = await srv.get('/api/v1/access-logs/export?format=csv&service=tricky');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="access-logs-start-\d{8}T\d{6}Z\.csv"$/);
    const rows = parseCsv(r.text);
    expect(rows[0]).toEqual(['id', 'at', 'service', 'requestId', 'principal', 'apiKeyId', 'routeId', 'method', 'path', 'status', 'decision', 'reason', 'client', 'latencyMs']);
    const body = rows.slice(1);
    expect(body.every((row) => row.length === 14)).toBe(true);
    // oldest first: TRICKY_RECORDS go back in time, so the export lists them in reverse
    expect(body.map((row) => row[4])).toEqual(TRICKY.map(([, written]) => written).reverse());
    expect(body[0]?.slice(1, 4)).toEqual([iso(T0 - TRICKY.length * MIN), 'tricky', `tricky-${TRICKY.length - 1}`]);
    expect(body[0]?.slice(9)).toEqual(['200', 'allow', 'GRANTED', '10.0.0.1', '2.5']);
    expect(r.text).toContain('"say ""hi"""');
  });

  it('exports only the header row when nothing matches', async () => {
    const r = await srv.get('/api/v1/access-logs/export?format=csv&principal=nobody');
    expect(r.status).toBe(200);
    expect(parseCsv(r.text)).toHaveLength(1);
    expect((await srv.get('/api/v1/access-logs/export?principal=nobody')).text).toBe('');
  });
});

describe('access-log export under faults', () => {
  const TOTAL = 100_000;

  it('stops reading the database when the client disconnects midway', async () => {
    const srv = await startLogsServer();
    try {
      await fillAccessLogs(srv.store, TOTAL, T0);
      const before = srv.rowsRead();
      const received = await new Promise<number>((resolve, reject) => {
        const req = httpGet(`${srv.base}/api/v1/access-logs/export?format=ndjson`, { headers: { 'x-test-role': 'auditor' } }, (res) => {
          expect(res.statusCode).toBe(200);
          res.once('data', (chunk: Buffer) => {
            req.destroy();
            resolve(chunk.length);
          });
        });
        req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
      });
      expect(received).toBeGreaterThan(0);
      // Wait for the server to notice, then check it reads nothing more.
      let settled = srv.rowsRead();
      for (let i = 0; i < 50; i++) {
        await sleep(100);
        const now = srv.rowsRead();
        if (now === settled && i > 2) break;
        settled = now;
      }
      await sleep(300);
      expect(srv.rowsRead()).toBe(settled);
      const read = settled - before;
      expect(read).toBeGreaterThan(0);
      expect(read).toBeLessThan(TOTAL / 2);
      console.info(`client left after ${received} bytes; the server read ${read} of ${TOTAL} rows`);
      expect(srv.errors).toEqual([]);
    } finally {
      await srv.close();
    }
  }, 60_000);

  it('truncates the transfer and logs when the store fails after the headers were sent', async () => {
    const srv = await startLogsServer({ failAfterRows: 3000 });
    try {
      await fillAccessLogs(srv.store, 10_000, T0);
      const res = await fetch(`${srv.base}/api/v1/access-logs/export?format=csv`, { headers: { 'x-test-role': 'auditor' } });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      expect(srv.errors).toHaveLength(1);
      expect(srv.errors[0]).toContain('simulated database failure');
    } finally {
      await srv.close();
    }
  }, 60_000);

  it('answers 503-style errors normally when the store fails before the first row', async () => {
    const srv = await startLogsServer({ failAfterRows: 0 });
    try {
      const r = await srv.getJson('/api/v1/access-logs/export?format=csv');
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(r.headers.get('content-disposition')).toBeNull();
      expect(r.body.error.request_id).toEqual(expect.any(String));
    } finally {
      await srv.close();
    }
  });
});
