import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventsPolicy } from '@agentcore/policies';
import { MemoryEventBus } from '../../src/events/memory-bus.js';
import { openWs, until } from './clients.js';
import type { WsClient } from './clients.js';
import { POLICY, publish, ROLES, startEventsServer } from './events-test-server.js';
import type { EventsTestServer } from './events-test-server.js';

let bus: MemoryEventBus;
let server: EventsTestServer;
const clients: WsClient[] = [];

async function client(token: string | undefined = 'admin', options: { autoPong?: boolean } = {}): Promise<WsClient> {
  const c = await openWs(server.wsUrl, token, options);
  clients.push(c);
  return c;
}

async function subscribed(c: WsClient, id: string, topics: string[], lastEventId?: string): Promise<void> {
  c.send({ type: 'subscribe', id, topics, lastEventId });
  await until(() => c.messages.some((m) => (m.type === 'subscribed' || m.type === 'error') && m.id === id), `subscribe ${id}`);
}

beforeEach(async () => {
  bus = new MemoryEventBus({ history: POLICY.history });
  server = await startEventsServer(bus);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server.close();
});

describe('WebSocket events', () => {
  it('subscribes, receives the events of its topics only, and acknowledges', async () => {
    const c = await client();
    await subscribed(c, 's1', ['agents/a1', 'workflows/*/runs']);
    expect(c.messages.find((m) => m.type === 'subscribed')).toMatchObject({ id: 's1', topics: ['agents/a1', 'workflows/*/runs'], resumed: false });
    for (const topic of ['agents/a1', 'agents/a2', 'workflows/w1/runs', 'workflows/w1/steps']) {
      expect((await publish(server.url, { topic, type: 't', data: { topic } })).status).toBe(202);
    }
    await until(() => c.events().length === 2, 'two events');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.events('s1').map((e) => e.topic)).toEqual(['agents/a1', 'workflows/w1/runs']);
    expect(c.events()[0]).toMatchObject({ type: 't', data: { topic: 'agents/a1' } });
  });

  it('refuses an unauthorised topic with an error naming the permission, and keeps the allowed ones', async () => {
    const c = await client('nobody');
    await subscribed(c, 's1', ['workflows/w1/runs']);
    const err = c.messages.find((m) => m.type === 'error') as { id: string; error: { code: string; message: string; details: Record<string, unknown> } };
    expect(err.id).toBe('s1');
    expect(err.error.code).toBe('FORBIDDEN');
    expect(err.error.message).toBe('topic "workflows/w1/runs" requires permission workflows:read');
    expect(err.error.details).toMatchObject({ topic: 'workflows/w1/runs', reason: 'MISSING_PERMISSION' });
    expect(c.messages.some((m) => m.type === 'subscribed')).toBe(false);

    const alice = await client('alice');
    await subscribed(alice, 's2', ['billing/x', 'agents/*']);
    expect(alice.messages.find((m) => m.type === 'error')).toMatchObject({ error: { code: 'FORBIDDEN', details: { reason: 'NO_RULE' } } });
    expect(alice.messages.find((m) => m.type === 'subscribed')).toMatchObject({ topics: ['agents/*'] });
  });

  it('delivers owner-scoped events only to their owner', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    await subscribed(alice, 'a', ['agents/*']);
    await subscribed(bob, 'b', ['agents/*']);
    await publish(server.url, { topic: 'agents/x', type: 't', data: 1, owner: 'alice' });
    await publish(server.url, { topic: 'agents/y', type: 't', data: 2, owner: 'bob' });
    await publish(server.url, { topic: 'agents/z', type: 't', data: 3 });
    await until(() => alice.events().length === 1 && bob.events().length === 1, 'owned events');
    await new Promise((r) => setTimeout(r, 100));
    expect(alice.events().map((e) => e.data)).toEqual([1]);
    expect(bob.events().map((e) => e.data)).toEqual([2]);
  });

  it('ends a subscription within 1 s when a bundle change removes the permission', async () => {
    const c = await client('alice');
    await subscribed(c, 'w', ['workflows/w1/runs']);
    await subscribed(c, 'a', ['agents/*']);
    const t0 = Date.now();
    const revoked = server.setRoles(ROLES.map((r) => (r.name === 'user' ? { ...r, permissions: ['agents:read-own'] } : r)));
    expect(revoked).toBe(1);
    await until(() => c.messages.some((m) => m.type === 'unsubscribed'), 'unsubscribed', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(c.messages.find((m) => m.type === 'error')).toMatchObject({ id: 'w', error: { code: 'FORBIDDEN', details: { reason: 'PERMISSION_REVOKED' } } });
    expect(c.messages.find((m) => m.type === 'unsubscribed')).toMatchObject({ id: 'w', ended: true, reason: 'PERMISSION_REVOKED' });
    await publish(server.url, { topic: 'workflows/w1/runs', type: 't', data: 1 });
    await publish(server.url, { topic: 'agents/q', type: 't', data: 2, owner: 'alice' });
    await until(() => c.events().length === 1, 'the still-allowed event');
    expect(c.events()[0]?.topic).toBe('agents/q');
    expect(c.closed).toBeUndefined();
  });

  it('resumes after a disconnect with nothing lost and nothing twice', async () => {
    const c1 = await client();
    await subscribed(c1, 's', ['workflows/*/runs']);
    for (let i = 0; i < 5; i++) await publish(server.url, { topic: 'workflows/w1/runs', type: 't', data: i });
    await until(() => c1.events().length === 5, 'first five');
    const last = c1.events()[2]?.id as string; // pretend the client only processed three
    c1.ws.terminate();
    for (let i = 5; i < 10; i++) await publish(server.url, { topic: 'workflows/w1/runs', type: 't', data: i });
    const c2 = await client();
    const live = publish(server.url, { topic: 'workflows/w1/runs', type: 't', data: 10 });
    await subscribed(c2, 's', ['workflows/*/runs'], last);
    await live;
    await until(() => c2.events().length === 8, 'resumed events');
    await new Promise((r) => setTimeout(r, 100));
    expect(c2.events().map((e) => e.data)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(c2.messages.some((m) => m.type === 'gap')).toBe(false);
  });

  it('says explicitly when the resume id is older than the history', async () => {
    const c = await client();
    for (let i = 0; i < 105; i++) await bus.publish({ topic: 'agents/a1', type: 't', data: i });
    await subscribed(c, 's', ['agents/a1'], '1-0');
    const gap = c.messages.find((m) => m.type === 'gap') as { topics: string[]; message: string };
    expect(gap.topics).toEqual(['agents/a1']);
    expect(gap.message).toContain('no longer in the history');
    await until(() => c.events().length === 100, 'what is left of the history');
    expect(c.events()[0]?.data).toBe(5);
  });

  it('refuses malformed messages and ids without closing', async () => {
    const c = await client();
    c.ws.send('not json');
    c.send({ type: 'subscribe', topics: [] });
    c.send({ type: 'subscribe', id: 'x', topics: ['agents/a1'], lastEventId: 'yesterday' });
    c.send({ type: 'unsubscribe', id: 'nope' });
    await until(() => c.messages.length === 4, 'four errors');
    const errors = c.messages.map((m) => m.error as { code: string; message: string });
    expect(errors.map((e) => e.code)).toEqual(['INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST', 'INVALID_REQUEST']);
    expect(errors.map((e) => e.message)).toContain('"yesterday" is not an event id (<ms>-<seq>)');
    expect(errors.map((e) => e.message)).toContain('no subscription "nope"');
    c.send({ type: 'ping' });
    await until(() => c.messages.some((m) => m.type === 'pong'), 'pong');
    expect(c.closed).toBeUndefined();
  });

  it('closes a slow consumer once its queue limit is reached, and the hub forgets it', async () => {
    const c = await client();
    await subscribed(c, 's', ['agents/a1']);
    c.ws.pause(); // stop reading: the server's socket buffer fills, then its frames stay in flight
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 400 && server.hub.stats().subscriptions > 0; i++) await bus.publish({ topic: 'agents/a1', type: 't', data: big });
    expect(server.hub.stats().subscriptions).toBe(0);
    const drops = await server.registry.getSingleMetric('agentcore_events_dropped_total')?.get();
    expect(drops?.values.find((v) => v.labels.reason === 'slow_consumer')?.value).toBe(1);
    c.ws.resume();
    await until(() => c.closed !== undefined, 'close', 5000);
    expect([4008, 1006]).toContain(c.closed?.code);
  });

  it('terminates a peer that stops answering pings', async () => {
    const c = await client('admin', { autoPong: false });
    await until(() => c.closed !== undefined, 'dead-peer close', 5000);
    expect(c.closed?.code).toBe(1006);
  });

  it('closes the connection when its credential expires, saying so', async () => {
    const c = await client('expiring');
    await subscribed(c, 's', ['agents/a1']);
    await until(() => c.closed !== undefined, 'close at expiry', 3000);
    expect(c.closed?.code).toBe(4001);
    expect(c.messages.find((m) => m.type === 'error')).toMatchObject({ error: { code: 'UNAUTHENTICATED', details: { reason: 'TOKEN_EXPIRED' } } });
    expect(server.hub.stats().subscriptions).toBe(0);
  });

  it('unauthenticated upgrade is refused before the protocol starts', async () => {
    await expect(openWs(server.wsUrl, undefined)).rejects.toThrow(/401/);
  });

  it('counts subscribers, events in and out', async () => {
    const c = await client();
    await subscribed(c, 's', ['agents/a1']);
    await publish(server.url, { topic: 'agents/a1', type: 't', data: 1 });
    await until(() => c.events().length === 1, 'event');
    const text = await server.registry.metrics();
    expect(text).toMatch(/agentcore_events_subscriptions 1/);
    expect(text).toMatch(/agentcore_events_in_total\{source="publish"\} 1/);
    expect(text).toMatch(/agentcore_events_out_total\{transport="websocket"\} 1/);
    expect(text).toMatch(/agentcore_events_connections\{transport="websocket"\} 1/);
  });
});

describe('EventsPolicy in the test server', () => {
  it('is the schema-validated policy', () => {
    expect(EventsPolicy.safeParse(POLICY).success).toBe(true);
  });
});
