import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessLogBatch } from '@agentcore/policies';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../pipeline/request-context.js';
import { createAccessLogShipper, type AccessLogShipper } from './access-log-shipper.js';

/** A control plane that stores batches, and can refuse (503) or be closed and reopened on the same port. */
async function fakeControlPlane(port = 0): Promise<{ url: string; port: number; batches: AccessLogBatch[]; failing: { on: boolean }; close(): Promise<void> }> {
  const batches: AccessLogBatch[] = [];
  const failing = { on: false };
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failing.on || req.headers.authorization !== 'Bearer sidecar-token-0123456789') {
        res.writeHead(failing.on ? 503 : 401).end();
        return;
      }
      batches.push(AccessLogBatch.parse(JSON.parse(body)));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  const p = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${p}`,
    port: p,
    batches,
    failing,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let n = 0;
const ctx = (): RequestContext =>
  ({
    now: Date.now(),
    startedAt: performance.now(),
    requestId: `req-${String(++n).padStart(8, '0')}`,
    method: 'GET',
    path: '/api/v1/agents',
    route: { id: 'agents-list' },
    decision: n % 3 === 0 ? 'deny' : 'allow',
    reason: n % 3 === 0 ? 'MISSING_PERMISSION' : 'GRANTED',
    principal: { id: 'svc-ci', roles: ['operator'], scopes: [], method: 'api-key', credentialId: 'demo-operator' },
    clientAddress: '127.0.0.1',
  }) as unknown as RequestContext;

const shippers: AccessLogShipper[] = [];
afterEach(async () => {
  for (const s of shippers.splice(0)) await s.stop(100);
});
const until = async (ok: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('access-log shipper', () => {
  it('ships allowed and denied records in batches, with the API key id', async () => {
    const cp = await fakeControlPlane();
    const s = createAccessLogShipper({ controlPlane: cp.url, token: 'sidecar-token-0123456789', instanceId: 'i-1', intervalMs: 20, batchSize: 10 });
    shippers.push(s);
    for (let i = 0; i < 25; i++) s.record(ctx(), 200);
    await until(() => cp.batches.flatMap((b) => b.records).length === 25);
    const records = cp.batches.flatMap((b) => b.records);
    expect(records).toHaveLength(25);
    expect(new Set(records.map((r) => r.request_id)).size).toBe(25);
    expect(records.some((r) => r.decision === 'deny')).toBe(true);
    expect(records[0]).toMatchObject({ api_key_id: 'demo-operator', principal: 'svc-ci', route_id: 'agents-list' });
    expect(Math.max(...cp.batches.map((b) => b.records.length))).toBeLessThanOrEqual(10);
    await cp.close();
  });

  it('loses nothing while the control plane is briefly down, and retries with back-off', async () => {
    const cp = await fakeControlPlane();
    const s = createAccessLogShipper({ controlPlane: cp.url, token: 'sidecar-token-0123456789', instanceId: 'i-2', intervalMs: 20, backoff: { baseMs: 20, maxMs: 100 } });
    shippers.push(s);
    cp.failing.on = true;
    for (let i = 0; i < 50; i++) s.record(ctx(), 200);
    await new Promise((r) => setTimeout(r, 300));
    expect(cp.batches).toHaveLength(0);
    expect(s.buffered).toBe(50);
    cp.failing.on = false;
    await until(() => s.buffered === 0);
    expect(cp.batches.flatMap((b) => b.records)).toHaveLength(50);
    expect(s.dropped).toBe(0);
    await cp.close();
  });

  it('keeps a bounded buffer: drops the oldest and reports the count', async () => {
    const cp = await fakeControlPlane();
    cp.failing.on = true;
    const s = createAccessLogShipper({ controlPlane: cp.url, token: 'sidecar-token-0123456789', instanceId: 'i-3', maxBuffered: 100, intervalMs: 20, backoff: { baseMs: 20, maxMs: 50 } });
    shippers.push(s);
    const first = ctx().requestId;
    for (let i = 0; i < 150; i++) s.record(ctx(), 200);
    expect(s.buffered).toBe(100);
    expect(s.dropped).toBe(50);
    cp.failing.on = false;
    await until(() => s.buffered === 0);
    const batches = cp.batches;
    expect(batches.reduce((a, b) => a + b.dropped, 0)).toBe(50);
    const ids = batches.flatMap((b) => b.records.map((r) => r.request_id));
    expect(ids).toHaveLength(100);
    expect(ids).not.toContain(first);
    await cp.close();
  });

  it('flushes what is left on stop', async () => {
    const cp = await fakeControlPlane();
    const s = createAccessLogShipper({ controlPlane: cp.url, token: 'sidecar-token-0123456789', instanceId: 'i-4', intervalMs: 60_000 });
    for (let i = 0; i < 7; i++) s.record(ctx(), 403);
    await s.stop(1000);
    expect(cp.batches.flatMap((b) => b.records)).toHaveLength(7);
    await cp.close();
  });
});
