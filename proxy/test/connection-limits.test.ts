/**
 * Finding 7 of issue #9: client timeouts enforced within a second of their configured value (slow headers, a
 * connection that never sends, a body trickled byte by byte, idle keep-alive), and the connection caps per process
 * and per client address (extras answered 503 + Retry-After in the spec's error body, then closed).
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { startTestSidecar, type TestSidecar } from './helpers.js';

let backend: Server;
let upstream = '';
const sidecars: TestSidecar[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  upstream = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(sidecars.map((s) => s.close()));
  backend.close();
});

/** One public route that takes any method, so a body reaches the forward step. */
const openBundle = (): PolicyBundleInput =>
  ({ version: 1, service: 'limits', revision: 1, routes: [{ id: 'all', match: { path: '/', kind: 'prefix' }, auth: { required: false } }] }) as PolicyBundleInput;

async function sidecar(args: string[]): Promise<TestSidecar> {
  const s = await startTestSidecar(upstream, openBundle(), args);
  sidecars.push(s);
  return s;
}

/** Opens a raw connection; resolves when connected. */
function open(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

/** Milliseconds until the server closes the socket, and what it wrote. */
function closedAfter(s: Socket, limitMs: number): Promise<{ ms: number; data: string }> {
  const t0 = Date.now();
  let data = '';
  s.on('data', (c: Buffer) => (data += c.toString('latin1')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms; got: ${data.slice(0, 120)}`)), limitMs);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ ms: Date.now() - t0, data });
    });
  });
}

describe('client timeouts are enforced within a second of their value', () => {
  const args = ['--headers-timeout-ms', '1000', '--request-timeout-ms', '2000', '--keep-alive-timeout-ms', '1000'];

  it('slow headers (slowloris): 408 after --headers-timeout-ms, not after ~30 s', async () => {
    const s = await sidecar(args);
    const c = await open(s.url);
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => c.writable && c.write('X-A: b\r\n'), 200);
    const r = await closedAfter(c, 6000);
    clearInterval(drip);
    expect(r.ms).toBeLessThan(2500);
    expect(r.data).toMatch(/^HTTP\/1\.1 408/);
    expect(r.data).toContain('"REQUEST_TIMEOUT"');
  });

  it('a connection that never sends a byte is closed after --headers-timeout-ms', async () => {
    const s = await sidecar(args);
    const c = await open(s.url);
    const r = await closedAfter(c, 6000);
    expect(r.ms).toBeLessThan(2500);
  });

  it('a body trickled byte by byte is cut after --request-timeout-ms', async () => {
    const s = await sidecar(args);
    const c = await open(s.url);
    c.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
    const drip = setInterval(() => c.writable && c.write('a'), 100);
    const r = await closedAfter(c, 8000);
    clearInterval(drip);
    expect(r.ms).toBeLessThan(3500);
  });

  it('an idle keep-alive connection is closed after --keep-alive-timeout-ms', async () => {
    const s = await sidecar(args);
    const c = await open(s.url);
    const closed = closedAfter(c, 6000);
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await closed;
    expect(r.data).toMatch(/^HTTP\/1\.1 200/);
    expect(r.ms).toBeLessThan(2500);
  });
});

describe('connection caps', () => {
  it('--max-connections: the connection over the cap gets 503 + Retry-After in the error format, then close', async () => {
    const s = await sidecar(['--max-connections', '2']);
    await open(s.url);
    await open(s.url);
    await new Promise((r) => setTimeout(r, 100));
    const c = await open(s.url);
    const closed = closedAfter(c, 3000);
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await closed;
    expect(r.data).toMatch(/^HTTP\/1\.1 503/);
    expect(r.data.toLowerCase()).toContain('retry-after: 1');
    expect(r.data).toContain('"SERVICE_UNAVAILABLE"');
  });

  it('a closed connection frees its place', async () => {
    const s = await sidecar(['--max-connections', '1']);
    const a = await open(s.url);
    const gone = closedAfter(a, 3000);
    a.destroy();
    await gone;
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('--max-connections-per-client: the second connection of one address is refused, the process cap is not reached', async () => {
    const s = await sidecar(['--max-connections', '100', '--max-connections-per-client', '1']);
    await open(s.url);
    await new Promise((r) => setTimeout(r, 100));
    const c = await open(s.url);
    const closed = closedAfter(c, 3000);
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const r = await closed;
    expect(r.data).toMatch(/^HTTP\/1\.1 503/);
    expect(r.data).toContain('client address');
  });
});

describe('flag combinations are checked at start-up (finding 11b)', () => {
  const base = ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1'];
  it('--request-timeout-ms 1000 alone is refused with a message naming both flags', () => {
    const r = loadConfig([...base, '--request-timeout-ms', '1000'], {});
    expect(r.ok).toBe(false);
    const text = r.ok || r.help ? '' : r.errors.join('\n');
    expect(text).toContain('--headers-timeout-ms');
    expect(text).toContain('--request-timeout-ms');
  });
  it('a per-client cap above the process cap is refused', () => {
    const r = loadConfig([...base, '--max-connections', '10', '--max-connections-per-client', '20'], {});
    expect(r.ok).toBe(false);
    expect(r.ok || r.help ? '' : r.errors.join('\n')).toContain('--max-connections-per-client');
  });
  it('--request-timeout-ms 1000 with --headers-timeout-ms 500 is fine', () => {
    expect(loadConfig([...base, '--request-timeout-ms', '1000', '--headers-timeout-ms', '500'], {}).ok).toBe(true);
  });
});
