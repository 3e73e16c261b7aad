import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EventsPolicy } from '@agentcore/policies';
import { RedisEventBus } from '../../src/events/redis-bus.js';
import { openWs, until } from './clients.js';
import type { WsClient } from './clients.js';
import { POLICY, publish, startEventsServer } from './events-test-server.js';
import type { EventsTestServer } from './events-test-server.js';
import { deleteKeys, freePort, startRedis, stopRedis } from './redis-server.js';

const SHARED = 'redis://127.0.0.1:6379';
const cleanups: (() => Promise<void>)[] = [];
const children: ChildProcess[] = [];

async function bus(url: string, prefix: string, history = POLICY.history): Promise<RedisEventBus> {
  const b = new RedisEventBus({ url, prefix, history, commandTimeoutMs: 1000 });
  await b.start();
  cleanups.push(() => b.close());
  return b;
}

async function sidecar(b: RedisEventBus, policy = POLICY): Promise<EventsTestServer> {
  const s = await startEventsServer(b, policy);
  cleanups.push(() => s.close());
  return s;
}

async function subscriber(s: EventsTestServer, topics: string[], lastEventId?: string): Promise<WsClient> {
  const c = await openWs(s.wsUrl, 'admin');
  cleanups.push(async () => void c.ws.terminate());
  c.send({ type: 'subscribe', id: 's', topics, lastEventId });
  await until(() => c.messages.some((m) => m.type === 'subscribed'), 'subscribed');
  return c;
}

afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});
afterAll(async () => {
  for (const c of children) await stopRedis(c);
});

describe('Redis Streams bus, two sidecars', () => {
  it('delivers an event published at either sidecar to the subscribers of both, once each', async () => {
    const prefix = `test:events:{${randomUUID()}}`;
    cleanups.push(() => deleteKeys(SHARED, prefix));
    const [a, b] = [await sidecar(await bus(SHARED, prefix)), await sidecar(await bus(SHARED, prefix))];
    const subs = [await subscriber(a, ['agents/*']), await subscriber(a, ['agents/a1']), await subscriber(b, ['agents/*'])];
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push(String((await publish((i % 2 === 0 ? a : b).url, { topic: `agents/a${i % 3}`, type: 't', data: i })).body.id));
    await until(() => subs[0]?.events().length === 10 && subs[2]?.events().length === 10, 'fan-out');
    await new Promise((r) => setTimeout(r, 300));
    expect(subs[0]?.events().map((e) => e.id)).toEqual(ids);
    expect(subs[2]?.events().map((e) => e.id)).toEqual(ids);
    expect(subs[1]?.events().map((e) => e.data)).toEqual([1, 4, 7]);
  });

  it('resumes at the other sidecar from the per-topic streams, and says when the gap is too old', async () => {
    const prefix = `test:events:{${randomUUID()}}`;
    cleanups.push(() => deleteKeys(SHARED, prefix));
    const history = { maxEvents: 5, maxAgeMs: 60_000 };
    const policy = EventsPolicy.parse({ ...POLICY, history });
    const [a, b] = [await sidecar(await bus(SHARED, prefix, history), policy), await sidecar(await bus(SHARED, prefix, history), policy)];
    const first = await subscriber(a, ['workflows/*/runs']);
    for (let i = 0; i < 4; i++) await publish(a.url, { topic: `workflows/w${i % 2}/runs`, type: 't', data: i });
    await until(() => first.events().length === 4, 'four');
    const last = first.events()[1]?.id as string;
    first.ws.terminate();
    for (let i = 4; i < 7; i++) await publish(a.url, { topic: `workflows/w${i % 2}/runs`, type: 't', data: i });
    const resumed = await subscriber(b, ['workflows/*/runs'], last);
    await until(() => resumed.events().length === 5, 'resumed');
    expect(resumed.events().map((e) => e.data)).toEqual([2, 3, 4, 5, 6]);
    expect(resumed.messages.some((m) => m.type === 'gap')).toBe(false);

    for (let i = 0; i < 6; i++) await publish(a.url, { topic: 'workflows/w0/runs', type: 't', data: `x${i}` });
    const old = await subscriber(b, ['workflows/w0/runs'], last);
    expect(old.messages.find((m) => m.type === 'gap')).toMatchObject({ topics: ['workflows/w0/runs'], lastEventId: last });
    expect(old.events().map((e) => e.data)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
  });
});

describe('broker stopped and restarted mid-test', () => {
  it('refuses publishes clearly while down; subscribers recover and get every accepted event', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    let redis = await startRedis(port);
    children.push(redis);
    const prefix = 'test:events:{restart}';
    const [a, b] = [await sidecar(await bus(url, prefix)), await sidecar(await bus(url, prefix))];
    const subs = [await subscriber(a, ['agents/*']), await subscriber(b, ['agents/*'])];
    const accepted: string[] = [];
    const refused: Record<string, unknown>[] = [];
    const send = async (i: number): Promise<void> => {
      const r = await publish((i % 2 === 0 ? a : b).url, { topic: 'agents/a1', type: 't', data: i });
      if (r.status === 202) accepted.push(String(r.body.id));
      else refused.push({ status: r.status, ...(r.body.error as object) });
    };
    for (let i = 0; i < 5; i++) await send(i);
    await stopRedis(redis);
    for (let i = 5; i < 10; i++) await send(i);
    expect(refused).toHaveLength(5);
    expect(refused[0]).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('the event was not accepted: the event bus (Redis) could not take the event') });

    redis = await startRedis(port);
    children.push(redis);
    // Publishers get 503 until their connection is back (reconnect at most 1 s apart), then 202.
    for (let i = 10; accepted.length < 10 && i < 200; i++) {
      await send(i);
      if (accepted.length === 5) await new Promise((r) => setTimeout(r, 100));
    }
    expect(accepted).toHaveLength(10);
    await until(() => subs.every((s) => s.events().length === 10), 'every accepted event at both sidecars', 10_000);
    for (const s of subs) expect(s.events().map((e) => e.id)).toEqual(accepted);
    expect(subs.every((s) => s.closed === undefined)).toBe(true);
    await stopRedis(redis);
  });
});
