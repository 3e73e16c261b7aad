import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLogsServer, type LogsTestServer } from '../access-logs/test-logs-server.js';
import { appendAuditEvent, type AuditEventInput } from '../store/index.js';
import { streamAuditEvents } from '../store/audit-repo.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const MIN = 60_000;
const ACTORS = ['admin', 'alice', '=evil'] as const;
const ACTIONS = ['service.create', 'service.update', 'apikey.revoke'] as const;

function event(i: number): AuditEventInput & { at: number } {
  return {
    at: T0 + i * MIN,
    actor: ACTORS[i % ACTORS.length]!,
    action: ACTIONS[i % ACTIONS.length]!,
    resourceType: i % 2 ? 'service' : 'api_key',
    resourceId: `res-${i % 4}`,
    before: i % 5 === 0 ? null : { n: i, note: 'a,"b"' },
    after: { n: i + 1 },
    outcome: i % 7 === 0 ? 'denied' : 'allowed',
  };
}

const N = 50;
const EVENTS = Array.from({ length: N }, (_, i) => event(i));

describe('audit-event endpoints', () => {
  let srv: LogsTestServer;
  beforeAll(async () => {
    srv = await startLogsServer();
    for (const e of EVENTS) await appendAuditEvent(srv.store, e);
  });
  afterAll(async () => srv.close());

  async function listAll(query: string, limit = 500): Promise<number[]> {
    const ats: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const r = await srv.getJson(`/api/v1/audit-events?${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ats.push(...r.body.items.map((x: { at: string }) => Date.parse(x.at)));
      cursor = r.body.nextCursor;
      if (cursor === null) return ats;
    }
    throw new Error('too many pages');
  }

  it.each<[string, (e: AuditEventInput & { at: number }) => boolean]>([
    ['actor=alice', (e) => e.actor === 'alice'],
    ['action=apikey.revoke', (e) => e.action === 'apikey.revoke'],
    ['resourceType=service', (e) => e.resourceType === 'service'],
    ['resourceType=api_key&resourceId=res-2', (e) => e.resourceType === 'api_key' && e.resourceId === 'res-2'],
    ['outcome=denied', (e) => e.outcome === 'denied'],
    [`from=${new Date(T0 + 10 * MIN).toISOString()}&to=${T0 + 15 * MIN}`, (e) => e.at >= T0 + 10 * MIN && e.at < T0 + 15 * MIN],
    ['actor=nobody', () => false],
  ])('filters by %s, newest first', async (query, keep) => {
    expect(await listAll(query)).toEqual(EVENTS.filter(keep).map((e) => e.at).reverse());
  });

  it('pages with the cursor without duplicates or gaps', async () => {
    const ats = await listAll('outcome=allowed', 4);
    expect(ats).toEqual(EVENTS.filter((e) => e.outcome === 'allowed').map((e) => e.at).reverse());
    expect(new Set(ats).size).toBe(ats.length);
  });

  it.each<[string, string[]]>([
    ['outcome=maybe', ['query.outcome']],
    ['from=soon', ['query.from']],
    ['limit=501', ['query.limit']],
    ['from=2030-01-02&to=2030-01-01', ['query.to']],
    ['who=alice', ['query']],
  ])('rejects %s with 400 and the field paths', async (query, paths) => {
    const r = await srv.getJson(`/api/v1/audit-events?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual(paths);
  });

  it.each<[string | null, number, number]>([
    ['owner', 200, 200],
    ['security-admin', 200, 200],
    ['auditor', 200, 200],
    ['platform-engineer', 200, 403],
    [null, 401, 401],
  ])('lets %s list (%i) and export (%i)', async (role, list, exported) => {
    const as = role as Parameters<LogsTestServer['get']>[1];
    expect((await srv.get('/api/v1/audit-events?limit=1', as)).status).toBe(list);
    expect((await srv.get('/api/v1/audit-events/export?actor=alice', as)).status).toBe(exported);
  });

  it('exports NDJSON oldest first with before/after as JSON', async () => {
    const r = await srv.get('/api/v1/audit-events/export?format=ndjson&from=2030-01-01&to=2030-01-02');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/x-ndjson');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="audit-events-20300101T000000Z-20300102T000000Z.ndjson"');
    const lines = r.text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(N);
    expect(lines[1]).toEqual({
      id: expect.any(Number), at: new Date(T0 + MIN).toISOString(), actor: 'alice', action: 'service.update', resourceType: 'service', resourceId: 'res-1',
      before: { n: 1, note: 'a,"b"' }, after: { n: 2 }, outcome: 'allowed',
    });
  });

  it('exports CSV with a header row, quoted JSON cells and neutralised formulas', async () => {
    const r = await srv.get('/api/v1/audit-events/export?format=csv&to=2030-01-01T00:03:00Z');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.text.split('\r\n')).toEqual([
      'id,at,actor,action,resourceType,resourceId,outcome,before,after',
      expect.stringMatching(/^\d+,2030-01-01T00:00:00\.000Z,admin,service\.create,api_key,res-0,denied,,"\{""n"":1\}"$/),
      expect.stringMatching(/^\d+,2030-01-01T00:01:00\.000Z,alice,service\.update,service,res-1,allowed,"\{""n"":1,""note"":""a,\\""b\\""""\}","\{""n"":2\}"$/),
      expect.stringMatching(/^\d+,2030-01-01T00:02:00\.000Z,'=evil,apikey\.revoke,api_key,res-2,allowed,/),
      '',
    ]);
  });

  it('streams in id order across chunks', async () => {
    const ats: number[] = [];
    for await (const e of streamAuditEvents(srv.store, { outcome: 'allowed' }, 3)) ats.push(e.at);
    expect(ats).toEqual(EVENTS.filter((e) => e.outcome === 'allowed').map((e) => e.at));
  });
});
