import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows, type AdminRole } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import { createApp } from '../http/app.js';
import type { AccessGuard } from '../http/endpoint.js';
import { insertAccessLogs, openStore, type AccessLogRecord, type Store } from '../store/index.js';
import { createTestDatabase } from '../store/test-databases.js';
import { liveTailEndpoints } from './live-tail.js';

const guard: AccessGuard = async (req, access) => {
  const role = req.headers['x-test-role'] as AdminRole | undefined;
  if (!role) throw new AdminError('ADMIN_UNAUTHENTICATED', 'no role');
  if (access !== 'public' && access !== 'sidecar' && access !== 'authenticated' && !roleAllows(role, access)) throw new AdminError('ADMIN_FORBIDDEN', 'no');
  return { username: role, role, via: 'token' };
};
const rec = (i: number, service: string, decision = 'deny'): AccessLogRecord => ({
  at: Date.now() - 60_000 * i, service, requestId: `r-${service}-${i}`, principal: null, apiKeyId: null, routeId: 'x', method: 'GET', path: `/p/${i}`,
  status: decision === 'deny' ? 403 : 200, decision, reason: null, client: null, latencyMs: 1,
});

let store: Store;
let server: Server;
let base: string;
const open: IncomingMessage[] = [];

/** Opens the stream; `events()` lists the parsed events so far, `text()` the raw text. */
function tail(query: string, headers: Record<string, string> = {}) {
  let raw = '';
  return new Promise<{ status: number; text: () => string; events: () => { id: number; data: { id: number; service: string; decision: string } }[] }>((resolve) => {
    get(`${base}/api/v1/access-logs/live${query}`, { headers: { 'x-test-role': 'auditor', ...headers } }, (res) => {
      open.push(res);
      res.setEncoding('utf8');
      res.on('data', (d: string) => (raw += d));
      const events = () =>
        raw
          .split('\n\n')
          .filter((b) => b.includes('event: access'))
          .map((b) => ({ id: Number(/^id: (\d+)$/m.exec(b)![1]), data: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as never }));
      resolve({ status: res.statusCode!, text: () => raw, events });
    });
  });
}
const until = async (ok: () => boolean, ms = 3000) => {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  store = await openStore((await createTestDatabase('sqlite')).url);
  await insertAccessLogs(store, [rec(100, 'orders')]); // before anyone listens: not sent
  const app = createApp({ endpoints: liveTailEndpoints({ store }, { pollMs: 50, heartbeatMs: 300 }), guard, log: pino({ level: 'silent' }) });
  server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const r of open) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await store.close();
});

describe('GET /api/v1/access-logs/live', () => {
  it('streams records ingested after connecting, filtered, in insertion order, within a poll', async () => {
    const t = await tail('?service=orders&decision=deny');
    expect(t.status).toBe(200);
    await until(() => t.text().includes(': connected'));
    await insertAccessLogs(store, [rec(1, 'orders'), rec(2, 'billing'), rec(3, 'orders', 'allow'), rec(4, 'orders')]);
    await until(() => t.events().length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    const got = t.events();
    expect(got.map((e) => [e.data.service, e.data.decision])).toEqual([['orders', 'deny'], ['orders', 'deny']]);
    expect(got[0]!.id).toBeLessThan(got[1]!.id);
    expect(got[0]!.id).toBe(got[0]!.data.id);
  });

  it('resumes after Last-Event-ID (what EventSource sends on reconnect)', async () => {
    const t = await tail('', { 'last-event-id': '1' });
    await until(() => t.events().length >= 4); // ids 2–5: everything after the record before the first test
    expect(t.events()[0]!.id).toBe(2);
  });

  it('sends a keep-alive comment when nothing happens', async () => {
    const t = await tail('?service=nothing-here');
    await until(() => t.text().includes(': keep-alive'), 2000);
    expect(t.events()).toEqual([]);
  });

  it('refuses admins without logs:read and bad filters, in the spec format', async () => {
    const denied = await tail('', { 'x-test-role': 'platform-engineer' });
    expect(denied.status).toBe(403);
    const bad = await tail('?decision=DROP%20TABLE');
    expect(bad.status).toBe(400);
    await until(() => bad.text().includes('"error"'));
    expect(JSON.parse(bad.text()).error.code).toBe('INVALID_REQUEST');
  });
});
