import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../../src/events/memory-bus.js';
import { openSse, until } from './clients.js';
import type { SseClient } from './clients.js';
import { POLICY, publish, ROLES, startEventsServer } from './events-test-server.js';
import type { EventsTestServer } from './events-test-server.js';

let bus: MemoryEventBus;
let server: EventsTestServer;
const streams: SseClient[] = [];

async function sse(query: string, token = 'admin', headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await openSse(`${server.url}/events?${query}`, { authorization: `Bearer ${token}`, ...headers });
  streams.push(c);
  return c;
}

beforeEach(async () => {
  bus = new MemoryEventBus({ history: POLICY.history });
  server = await startEventsServer(bus);
});
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await server.close();
});

describe('SSE events', () => {
  it('streams the events of the query topics with retry: first and ids', async () => {
    const c = await sse('topic=agents/a1&topic=workflows/*/runs');
    expect(c.status).toBe(200);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => c.frames.length > 0, 'retry frame');
    expect(c.frames[0]).toEqual({ retry: 500 });
    await until(() => server.hub.stats().subscriptions === 1, 'subscription');
    for (const topic of ['agents/a1', 'agents/a2', 'workflows/w/runs']) await publish(server.url, { topic, type: 'status', data: { topic }, id: `src-${topic}` });
    await until(() => c.events().length === 2, 'two events');
    const frames = c.frames.filter((f) => f.id !== undefined);
    expect(c.events().map((e) => e.topic)).toEqual(['agents/a1', 'workflows/w/runs']);
    expect(frames[0]?.id).toBe(c.events()[0]?.id);
    expect(c.events()[0]).toMatchObject({ type: 'status', data: { topic: 'agents/a1' } });
  });

  it('sends heartbeat comments', async () => {
    const c = await sse('topic=agents/a1');
    await until(() => c.frames.some((f) => f.comment === 'heartbeat'), 'heartbeat', 3000);
  });

  it('refuses with 403 and the error body when no topic is allowed; 400 for bad topics or ids', async () => {
    const c = await sse('topic=workflows/w/runs', 'nobody');
    await until(() => c.ended, 'end');
    expect(c.status).toBe(403);
    const body = JSON.parse(c.body) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: 'FORBIDDEN', message: 'topic "workflows/w/runs" requires permission workflows:read' });
    for (const [q, h, msg] of [
      ['', {}, 'name at least one topic'],
      ['topic=agents/{id}', {}, 'parameters are for rules'],
      ['topic=agents/a1', { 'last-event-id': 'abc' }, 'is not an event id'],
    ] as const) {
      const bad = await sse(q, 'admin', h);
      await until(() => bad.ended, 'end');
      expect(bad.status).toBe(400);
      expect(bad.body).toContain(msg);
    }
  });

  it('tells a partly refused stream on the stream and serves the rest', async () => {
    const c = await sse('topic=agents/*&topic=billing/x', 'alice');
    await until(() => c.frames.some((f) => f.event === 'agentcore.error'), 'error frame');
    const err = JSON.parse(c.frames.find((f) => f.event === 'agentcore.error')?.data as string) as { topic: string; error: { code: string } };
    expect(err).toMatchObject({ topic: 'billing/x', error: { code: 'FORBIDDEN' } });
    await until(() => server.hub.stats().subscriptions === 1, 'subscription');
    await publish(server.url, { topic: 'agents/q', type: 't', data: 1, owner: 'alice' });
    await until(() => c.events().length === 1, 'owned event');
  });

  it('resumes from Last-Event-ID without loss or duplicates, and tells a too-old gap', async () => {
    const c1 = await sse('topic=agents/a1&topic=agents/a2');
    await until(() => server.hub.stats().subscriptions === 1, 'subscription');
    for (let i = 0; i < 6; i++) await publish(server.url, { topic: `agents/a${(i % 2) + 1}`, type: 't', data: i });
    await until(() => c1.events().length === 6, 'six');
    const lastSeen = c1.frames.filter((f) => f.id !== undefined)[3]?.id as string;
    c1.close();
    for (let i = 6; i < 9; i++) await publish(server.url, { topic: `agents/a${(i % 2) + 1}`, type: 't', data: i });
    const c2 = await sse('topic=agents/a1&topic=agents/a2', 'admin', { 'last-event-id': lastSeen });
    await until(() => c2.events().length === 5, 'resumed');
    await new Promise((r) => setTimeout(r, 100));
    expect(c2.events().map((e) => e.data)).toEqual([4, 5, 6, 7, 8]);
    expect(c2.frames.some((f) => f.event === 'agentcore.gap')).toBe(false);

    for (let i = 0; i < 101; i++) await bus.publish({ topic: 'agents/a1', type: 't', data: i });
    const c3 = await sse('topic=agents/a1', 'admin', { 'last-event-id': lastSeen });
    await until(() => c3.frames.some((f) => f.event === 'agentcore.gap'), 'gap');
    const gap = JSON.parse(c3.frames.find((f) => f.event === 'agentcore.gap')?.data as string) as { topics: string[]; lastEventId: string };
    expect(gap).toMatchObject({ topics: ['agents/a1'], lastEventId: lastSeen });
  });

  it('ends the stream with an error frame when a bundle change revokes the topic', async () => {
    const c = await sse('topic=workflows/w/runs', 'alice');
    await until(() => server.hub.stats().subscriptions === 1, 'subscription');
    const t0 = Date.now();
    server.setRoles(ROLES.map((r) => (r.name === 'user' ? { ...r, permissions: [] } : r)));
    await until(() => c.ended, 'stream end', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    const err = JSON.parse(c.frames.find((f) => f.event === 'agentcore.error')?.data as string) as { error: { code: string; details: { reason: string } } };
    expect(err.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'PERMISSION_REVOKED' } });
    const again = await sse('topic=workflows/w/runs', 'alice');
    expect(again.status).toBe(403);
  });

  it('ends the stream when the credential expires, saying so', async () => {
    const c = await sse('topic=agents/a1', 'expiring');
    await until(() => c.ended, 'end at expiry', 3000);
    const err = JSON.parse(c.frames.find((f) => f.event === 'agentcore.error')?.data as string) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('UNAUTHENTICATED');
    expect(err.error.message).toContain('the credential expired at');
    expect(server.hub.stats().subscriptions).toBe(0);
  });

  it('drops a slow consumer once its queue limit is reached', async () => {
    const c = await sse('topic=agents/a1');
    await until(() => server.hub.stats().subscriptions === 1, 'subscription');
    c.res.pause();
    const big = 'y'.repeat(60_000);
    let published = 0;
    for (; published < 400 && server.hub.stats().subscriptions > 0; published++) await bus.publish({ topic: 'agents/a1', type: 't', data: big });
    expect(server.hub.stats().subscriptions).toBe(0);
    expect(published).toBeGreaterThan(POLICY.queueLimit); // the socket buffers took some, then the queue limit hit
    await until(() => c.ended, 'connection dropped');
    const text = await server.registry.metrics();
    expect(text).toMatch(/agentcore_events_dropped_total\{reason="slow_consumer"\} 1/);
    expect(text).toMatch(/agentcore_events_connections\{transport="sse"\} 0/);
  });
});
