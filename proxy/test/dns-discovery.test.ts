/**
 * DNS discovery through the assembled sidecar: an upstream with `discovery.dns` whose name a test DNS server
 * (UDP, dns-packet) answers with loopback addresses of three real backends on one port. Targets added and
 * removed in the zone are followed by the traffic; an unhealthy target stays unhealthy across a change.
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBundle, startTestSidecar, type TestSidecar } from './helpers.js';

const NAME = 'orders.shop.svc.cluster.local';
let addresses: string[] = [];
let dns: Socket;
let dnsAddress: string;
const backends: Server[] = [];
const sick = new Set<string>();
let port = 0;
let sidecar: TestSidecar;

function backend(host: string): Promise<void> {
  const s = createServer((req, res) => {
    res.writeHead(sick.has(host) ? 500 : 200, { 'content-type': 'text/plain' }).end(host);
  });
  backends.push(s);
  return new Promise((r) => s.listen(port, host, () => {
    port = (s.address() as AddressInfo).port;
    r();
  }));
}

beforeAll(async () => {
  for (const h of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) await backend(h);
  dns = createSocket('udp4');
  dns.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    const mine = question.name.toLowerCase() === NAME;
    const answers = mine && question.type === 'A' ? addresses.map((a) => ({ type: 'A' as const, name: question.name, ttl: 1, class: 'IN' as const, data: a })) : [];
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | (mine ? 0 : 3), questions: q.questions, answers });
    dns.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => dns.bind(0, '127.0.0.1', r));
  dnsAddress = `127.0.0.1:${dns.address().port}`;

  addresses = ['127.0.0.1', '127.0.0.2'];
  const b = demoBundle() as ReturnType<typeof demoBundle> & { upstreams?: Record<string, unknown>; routes: { id: string; upstream?: string }[] };
  b.upstreams = {
    orders: {
      discovery: { dns: { name: NAME, port, minTtlMs: 200, maxTtlMs: 300 } },
      outlierDetection: { consecutive5xx: 2, baseEjectionMs: 60_000, maxEjectionPercent: 100 },
    },
  };
  b.routes.find((r) => r.id === 'healthz')!.upstream = 'orders';
  sidecar = await startTestSidecar('http://127.0.0.1:1', b, ['--dns-servers', dnsAddress]);
});
afterAll(async () => {
  await sidecar?.close();
  dns?.close();
  for (const s of backends) s.close();
});

/** Who answered each of `n` requests to the discovered upstream. */
async function hits(n = 30): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${sidecar.url}/healthz`);
    expect(r.status).toBe(200);
    seen.add(await r.text());
  }
  return seen;
}

async function until(fn: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Snap = { name: string; targets: { name: string; ejected: boolean }[] };
const snapshot = (): Snap => (sidecar.runtime().upstreamSnapshots() as Snap[]).find((u) => u.name === 'orders')!;

describe('DNS discovery through the assembled sidecar', () => {
  it('sends traffic to the addresses the name resolves to', async () => {
    expect([...(await hits())].sort()).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('follows a target added and a target removed on the TTL, and logs the change', async () => {
    addresses = ['127.0.0.2', '127.0.0.3'];
    await until(() => snapshot().targets.map((t) => t.name).join() === `127-0-0-2-${port},127-0-0-3-${port}`);
    expect([...(await hits())].sort()).toEqual(['127.0.0.2', '127.0.0.3']);
    expect(sidecar.logs().some((l) => l.msg === 'DNS discovery: upstream targets changed')).toBe(true);
  });

  it('keeps the ejection of an unchanged target when the list changes', async () => {
    sick.add('127.0.0.2');
    await until(async () => {
      await fetch(`${sidecar.url}/healthz`);
      return snapshot().targets.find((t) => t.name.startsWith('127-0-0-2'))?.ejected === true;
    });
    sick.delete('127.0.0.2'); // a fresh detector would send traffic to it again at once
    addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    await until(() => snapshot().targets.length === 3);
    expect(snapshot().targets.find((t) => t.name.startsWith('127-0-0-2'))!.ejected).toBe(true);
    expect([...(await hits())].sort()).toEqual(['127.0.0.1', '127.0.0.3']);
  });

  it('answers 503 when the name has no addresses, and recovers when it has again', async () => {
    addresses = [];
    await until(() => snapshot().targets.length === 0);
    expect((await fetch(`${sidecar.url}/healthz`)).status).toBe(503);
    addresses = ['127.0.0.3'];
    await until(() => snapshot().targets.length === 1);
    expect([...(await hits(5))]).toEqual(['127.0.0.3']);
  });
});
