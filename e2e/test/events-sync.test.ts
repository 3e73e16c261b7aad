// Events from the control plane: a route with `events` created through the admin API is compiled into the bundle,
// reaches a synced sidecar (built dist only), and serves: an SSE subscriber with an API key receives what a backend
// publishes on the sidecar's admin port; a topic the key's role may not read is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncedSystem, type SyncedSystem } from './support/synced-system.js';

let sys: SyncedSystem;
let sidecar: SyncedSystem['sidecar'];
let seeded: SyncedSystem['seeded'];
let call: SyncedSystem['call'];

beforeAll(async () => {
  sys = await startSyncedSystem('agentcore-events-sync-');
  sidecar = sys.sidecar;
  seeded = sys.seeded;
  call = sys.call;
});
afterAll(() => sys?.close());

/** Reads an SSE stream until `n` event frames arrived (or `ms` passed); returns their data. */
async function sseEvents(url: string, headers: Record<string, string>, n: number, ms: number, after: () => Promise<void>): Promise<{ status: number; events: Record<string, unknown>[] }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: Record<string, unknown>[] = [];
  if (res.status !== 200) {
    clearTimeout(timer);
    await res.text();
    return { status: res.status, events };
  }
  await after();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data && !frame.includes('event: ')) events.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
      }
      if (events.length >= n) break;
    }
  } catch {
    /* aborted after ms */
  }
  clearTimeout(timer);
  ac.abort();
  return { status: 200, events };
}

describe('an event route from the control plane', () => {
  it('is accepted by the route resource, compiled, synced and served by the sidecar', async () => {
    const route = {
      id: 'agent-events',
      match: { methods: ['GET'], path: '/api/v1/agent-events', kind: 'exact' },
      events: {
        topics: [{ pattern: 'agents/{id}', permission: 'agents:read' }],
        publish: { permission: 'agents:write', maxEventBytes: 4096 },
      },
    };
    const created = await call<Record<string, unknown>>('POST', '/api/v1/services/agents/routes', route);
    expect(created.status).toBe(201);
    // a bad topic rule is refused by the resource with the field named ("**" only as the last segment)
    await expect(call('POST', '/api/v1/services/agents/routes', { ...route, id: 'bad-events', events: { topics: [{ pattern: 'agents/**/x', permission: 'a:b' }] } })).rejects.toThrow(
      /400.*body\.events\.topics\.0\.pattern/,
    );
    const next = await call<{ revision: number; hash: string }>('POST', '/api/v1/services/agents/publish', {});
    const t0 = Date.now();
    while ((sidecar.bundleInfo() as { hash: string | null }).hash !== next.body.hash && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    expect((sidecar.bundleInfo() as { hash: string | null }).hash).toBe(next.body.hash);

    const viewer = { 'x-api-key': seeded.apiKeys.viewer!.secret };
    const operator = seeded.apiKeys.operator!.secret;
    const publish = async (key: string | undefined): Promise<Response> =>
      fetch(`${sidecar.adminUrl}/events/agent-events/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } }),
      });
    let accepted: Record<string, unknown> = {};
    const got = await sseEvents(`${sidecar.url}/api/v1/agent-events?topic=agents/a1`, viewer, 1, 5000, async () => {
      expect((await publish(undefined)).status).toBe(401);
      expect((await publish(seeded.apiKeys.viewer!.secret)).status).toBe(403); // viewer lacks agents:write
      const ok = await publish(operator);
      expect(ok.status).toBe(202);
      accepted = (await ok.json()) as Record<string, unknown>;
    });
    expect(got.status).toBe(200);
    expect(got.events).toEqual([expect.objectContaining({ id: accepted.id, topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } })]);
    const refused = await sseEvents(`${sidecar.url}/api/v1/agent-events?topic=billing/x`, viewer, 1, 2000, async () => undefined);
    expect(refused.status).toBe(403);
  });
});
