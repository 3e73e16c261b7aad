/**
 * A reconnect storm: 2,000 WebSocket subscribers on two sidecars sharing one Redis, with owner-scoped topic rules,
 * all dropped at once and reconnecting at once while events keep flowing; each resumes from its last id.
 * Every client's received ids are compared with what it should have seen: zero missed, zero duplicated.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { EventsPolicy } from '@agentcore/policies';
import { RedisEventBus } from '../../src/events/redis-bus.js';
import { WebSocket } from 'ws';
import { until } from './clients.js';
import { POLICY, startEventsServer } from './events-test-server.js';
import type { EventsTestServer } from './events-test-server.js';
import { deleteKeys } from './redis-server.js';

const SHARED = 'redis://127.0.0.1:6379';
const CLIENTS = 2000;
const TOPICS = 20;
const PRINCIPALS = [
  { token: 'admin', id: 'root', owned: false },
  { token: 'alice', id: 'alice', owned: true },
  { token: 'bob', id: 'bob', owned: true },
];

interface StormClient {
  n: number;
  token: string;
  topic: string;
  received: string[];
  ws: WebSocket | undefined;
}

const cleanups: (() => Promise<void>)[] = [];
const timing = { open: [] as number[], sub: [] as number[] };
const EVENT_PREFIX = '{"type":"event"';
const ID_MARK = '"event":{"id":"';
afterAll(async () => {
  for (const f of cleanups.reverse()) await f();
});

async function inBatches<T>(items: T[], size: number, f: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(f));
}

/** A lean client (no per-message JSON.parse of events: the machine is shared, the storm is CPU-bound). */
async function connect(server: EventsTestServer, c: StormClient, lastEventId?: string): Promise<void> {
  const t0 = Date.now();
  const ws = new WebSocket(server.wsUrl, { headers: { authorization: `Bearer ${c.token}` } });
  c.ws = ws;
  const answer = new Promise<string>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith(EVENT_PREFIX)) {
        if (c.ws === ws) c.received.push(text.slice(text.indexOf(ID_MARK) + ID_MARK.length, text.indexOf('"', text.indexOf(ID_MARK) + ID_MARK.length)));
      } else {
        const m = JSON.parse(text) as { type: string };
        if (m.type === 'subscribed' || m.type === 'error') resolve(m.type);
      }
    });
    ws.once('open', () => {
      timing.open.push(Date.now() - t0);
      ws.send(JSON.stringify({ type: 'subscribe', id: 's', topics: [c.topic], lastEventId }));
    });
  });
  const t1 = Date.now();
  expect(await answer).toBe('subscribed');
  timing.sub.push(Date.now() - t1);
}

describe('reconnect storm', () => {
  it(`${CLIENTS} subscribers dropped and resuming at once: zero missed, zero duplicated`, { timeout: 120_000 }, async () => {
    const prefix = `test:events:{${randomUUID()}}`;
    cleanups.push(() => deleteKeys(SHARED, prefix));
    const policy = EventsPolicy.parse({ ...POLICY, history: { maxEvents: 10_000, maxAgeMs: 60_000 }, queueLimit: 1000, heartbeatMs: 30_000 });
    const servers: EventsTestServer[] = [];
    const buses: RedisEventBus[] = [];
    for (let i = 0; i < 2; i++) {
      const bus = new RedisEventBus({ url: SHARED, prefix, history: policy.history });
      await bus.start();
      const server = await startEventsServer(bus, policy);
      buses.push(bus);
      servers.push(server);
      cleanups.push(async () => {
        await server.close();
        await bus.close();
      });
    }
    const clients: StormClient[] = Array.from({ length: CLIENTS }, (_, n) => {
      const p = PRINCIPALS[n % PRINCIPALS.length] as (typeof PRINCIPALS)[number];
      return { n, token: p.token, topic: p.owned ? 'agents/*' : `agents/a${n % TOPICS}`, received: [], ws: undefined };
    });
    cleanups.push(async () => {
      for (const c of clients) c.ws?.terminate();
    });
    const serverOf = (c: StormClient): EventsTestServer => servers[c.n % 2] as EventsTestServer;
    const t0 = Date.now();
    await inBatches(clients, 250, (c) => connect(serverOf(c), c));
    const tConnected = Date.now();

    const published: { id: string; topic: string; owner: string | undefined }[] = [];
    let flowing = true;
    const publisher = (async () => {
      for (let i = 0; flowing; i++) {
        const topic = `agents/a${i % TOPICS}`;
        const owner = ['alice', 'bob', undefined][i % 3];
        const e = await (buses[i % 2] as RedisEventBus).publish({ topic, type: 't', data: i, owner });
        published.push({ id: e.id, topic, owner });
        await new Promise((r) => setTimeout(r, 50)); // ~20 events/s, each to ~470 clients: ~10k frames/s sent and read in this one process
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    // The storm: every client drops at once, then every client reconnects at once with its last id.
    const lastIds = clients.map((c) => c.received.at(-1));
    for (const c of clients) c.ws?.terminate();
    timing.open = [];
    timing.sub = [];
    const tStorm = Date.now();
    await inBatches(clients, CLIENTS, (c) => connect(serverOf(c), c, lastIds[c.n] ?? '0-0'));
    const tResumed = Date.now();
    const q = (a: number[]): string => { const b = [...a].sort((x, y) => x - y); return `p50 ${b[b.length >> 1]} max ${b.at(-1)}`; };
    console.log('open', q(timing.open), 'sub', q(timing.sub));
    await new Promise((r) => setTimeout(r, 500));
    flowing = false;
    await publisher;

    const expected = (c: StormClient): string[] => {
      const who = PRINCIPALS[c.n % PRINCIPALS.length] as (typeof PRINCIPALS)[number];
      return published.filter((e) => (who.owned ? e.owner === who.id : e.topic === c.topic)).map((e) => e.id);
    };
    const wantCount = clients.map((c) => expected(c).length);
    await until(() => clients.every((c) => c.received.length >= (wantCount[c.n] as number)), 'every client caught up', 60_000).catch(() => undefined);
    let missed = 0;
    let duplicated = 0;
    let delivered = 0;
    for (const c of clients) {
      const want = expected(c);
      const got = new Set(c.received);
      delivered += c.received.length;
      duplicated += c.received.length - got.size;
      for (const id of want) if (!got.has(id)) missed++;
      const wanted = new Set(want);
      expect(c.received.filter((id) => !wanted.has(id))).toEqual([]); // nothing it should not see
    }
    console.log(`storm: ${CLIENTS} clients (connected in ${tConnected - t0} ms, all resumed in ${tResumed - tStorm} ms), ${published.length} events published, ${delivered} delivered, missed ${missed}, duplicated ${duplicated}`);
    expect(published.length).toBeGreaterThan(20);
    expect({ missed, duplicated }).toEqual({ missed: 0, duplicated: 0 });
  });
});
