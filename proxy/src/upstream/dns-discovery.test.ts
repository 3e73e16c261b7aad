// DNS discovery against a real (tiny) authoritative DNS server on 127.0.0.1 that the test starts:
// a UDP responder built on dns-packet whose zone the test edits between resolutions.
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDnsDiscoveryOptions, startDnsDiscovery, type DnsDiscovery, type DnsTarget } from './dns-discovery.js';

type Rr = { type: 'A' | 'AAAA'; data: string } | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } };
/** The zone: name → records; every record gets `ttl` seconds. */
const zone = new Map<string, Rr[]>();
let ttl = 1;
let mode: 'answer' | 'servfail' | 'silent' = 'answer';
let queries = 0;
let server: Socket;
let address: string;

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    queries++;
    if (mode === 'silent') return;
    const known = zone.has(question.name.toLowerCase());
    const answers = (zone.get(question.name.toLowerCase()) ?? []).filter((r) => r.type === question.type).map((r) => ({ ...r, name: question.name, ttl, class: 'IN' as const }));
    const rcode = mode === 'servfail' ? 2 : known ? 0 : 3;
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.AUTHORITATIVE_ANSWER | rcode, questions: q.questions, answers: answers as dnsPacket.Answer[] });
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  address = `127.0.0.1:${server.address().port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let running: DnsDiscovery | undefined;
afterEach(() => {
  running?.close();
  running = undefined;
  zone.clear();
  ttl = 1;
  mode = 'answer';
});

const ids = (t: readonly DnsTarget[]) => t.map((x) => x.id);
/** Waits (bounded) until `fn` holds. */
async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('A/AAAA discovery', () => {
  it('resolves a headless-Service-like name and follows targets added and removed on the TTL', async () => {
    zone.set('orders.shop.svc.cluster.local', [{ type: 'A', data: '10.1.0.1' }, { type: 'A', data: '10.1.0.2' }, { type: 'AAAA', data: 'fd00::7' }]);
    const changes: string[][] = [];
    running = await startDnsDiscovery({ name: 'orders.shop.svc.cluster.local', mode: 'a', port: 8080, servers: [address], minTtlMs: 200, onChange: (t) => changes.push(ids(t)) });
    expect(ids(running.targets())).toEqual(['10.1.0.1:8080', '10.1.0.2:8080', '[fd00::7]:8080']);

    // A Pod comes (re-resolved after the 1 s TTL, without any call from us).
    zone.get('orders.shop.svc.cluster.local')!.push({ type: 'A', data: '10.1.0.3' });
    await until(() => running!.targets().length === 4);
    // A Pod goes.
    zone.set('orders.shop.svc.cluster.local', zone.get('orders.shop.svc.cluster.local')!.filter((r) => r.data !== '10.1.0.1'));
    await until(() => running!.targets().length === 3);
    expect(ids(running.targets())).toEqual(['10.1.0.2:8080', '10.1.0.3:8080', '[fd00::7]:8080']);
    expect(changes).toHaveLength(3);
  });

  it('re-resolves on the TTL, clamped to minTtlMs and maxTtlMs', async () => {
    zone.set('fast.test', [{ type: 'A', data: '10.2.0.1' }]);
    ttl = 0; // a TTL of 0 must not become a busy loop
    running = await startDnsDiscovery({ name: 'fast.test', mode: 'a', port: 80, servers: [address], minTtlMs: 300 });
    expect(await running.refresh()).toBe(300);
    ttl = 86_400;
    expect(await running.refresh()).toBe(300_000);
    ttl = 2;
    expect(await running.refresh()).toBe(2000);
    const before = queries;
    await new Promise((r) => setTimeout(r, 1000));
    expect(queries - before).toBeLessThanOrEqual(2); // A + AAAA at most once within the 2 s TTL
  });

  it('an authoritative NXDOMAIN empties the list; SERVFAIL and a silent server keep the last good list', async () => {
    zone.set('flaky.test', [{ type: 'A', data: '10.3.0.1' }]);
    const errors: string[] = [];
    running = await startDnsDiscovery({ name: 'flaky.test', mode: 'a', port: 80, servers: [address], timeoutMs: 200, retryMs: 150, onError: (e) => errors.push(String((e as { code?: string }).code)) });
    mode = 'servfail';
    expect(await running.refresh()).toBe(150);
    expect(ids(running.targets())).toEqual(['10.3.0.1:80']);
    mode = 'silent';
    expect(await running.refresh()).toBe(150);
    expect(ids(running.targets())).toEqual(['10.3.0.1:80']);
    expect(errors).toEqual(['ESERVFAIL', 'ETIMEOUT']);
    mode = 'answer';
    zone.clear();
    await running.refresh();
    expect(running.targets()).toEqual([]);
  });
});

describe('SRV discovery', () => {
  it('takes ports and weights from SRV records, prefers the lowest priority that has addresses', async () => {
    zone.set('_http._tcp.orders.shop.svc.cluster.local', [
      { type: 'SRV', data: { priority: 10, weight: 3, port: 8081, target: 'pod-a.orders.test' } },
      { type: 'SRV', data: { priority: 10, weight: 1, port: 8082, target: 'pod-b.orders.test' } },
      { type: 'SRV', data: { priority: 20, weight: 1, port: 9000, target: 'backup.orders.test' } },
    ]);
    zone.set('pod-a.orders.test', [{ type: 'A', data: '10.4.0.1' }]);
    zone.set('pod-b.orders.test', [{ type: 'A', data: '10.4.0.2' }]);
    zone.set('backup.orders.test', [{ type: 'A', data: '10.4.0.9' }]);
    running = await startDnsDiscovery({ name: '_http._tcp.orders.shop.svc.cluster.local', mode: 'srv', servers: [address], minTtlMs: 200 });
    expect(running.targets()).toEqual([
      { host: '10.4.0.1', port: 8081, weight: 3, id: '10.4.0.1:8081' },
      { host: '10.4.0.2', port: 8082, weight: 1, id: '10.4.0.2:8082' },
    ]);
    // Both priority-10 targets lose their addresses: the priority-20 one takes over on the next TTL.
    zone.delete('pod-a.orders.test');
    zone.delete('pod-b.orders.test');
    await until(() => running!.targets()[0]?.port === 9000);
    expect(ids(running.targets())).toEqual(['10.4.0.9:9000']);
  });
});

describe('options', () => {
  it('rejects what cannot be resolved, with a message', async () => {
    expect(checkDnsDiscoveryOptions({ name: 'orders', mode: 'a' })).toEqual(['a port 1-65535 is needed for A/AAAA discovery']);
    expect(checkDnsDiscoveryOptions({ name: 'orders.shop', mode: 'srv' })[0]).toMatch(/starts with _service\._proto/);
    expect(checkDnsDiscoveryOptions({ name: 'bad name!', mode: 'a', port: 80 })[0]).toMatch(/not a DNS name/);
    expect(checkDnsDiscoveryOptions({ name: 'x.test', mode: 'a', port: 80, minTtlMs: 10 })[0]).toMatch(/minTtlMs/);
    await expect(startDnsDiscovery({ name: 'x.test', mode: 'a', port: 0 })).rejects.toThrow(/port 1-65535/);
  });
});
