import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createStatusReporter, SidecarStatusReport, type SidecarStatus, type StatusReporter } from './status-reporter.js';

let server: Server | undefined;
let reporter: StatusReporter | undefined;
afterEach(async () => {
  await reporter?.stop();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = reporter = undefined;
});

interface Received {
  path: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

async function statusEndpoint(status = 204): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url, headers: req.headers, body: JSON.parse(text) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const status: SidecarStatus = {
  applied_revision: 4,
  applied_hash: 'sha256:' + 'a'.repeat(64),
  rejected_revision: 5,
  rejection_reason: 'BAD_SIGNATURE: bundle signature verification failed',
  connected: true,
  counters: { requests: 10, denied: 2, rate_limited: 1 },
};

describe('createStatusReporter', () => {
  it('posts the status at start and then every interval', async () => {
    const { url, received } = await statusEndpoint();
    let t = 1_000_000;
    reporter = createStatusReporter({
      controlPlane: url + '/',
      service: 'orders',
      token: 'tok',
      instanceId: 'sidecar-1',
      intervalMs: 100,
      getStatus: () => status,
      now: () => (t += 1500),
    });
    reporter.start();
    await expect.poll(() => received.length, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    const first = received[0]!;
    expect(first.path).toBe('/api/v1/sidecar/status');
    expect(first.headers.authorization).toBe('Bearer tok');
    expect(first.headers['x-sidecar-instance']).toBe('sidecar-1');
    expect(first.headers['content-type']).toBe('application/json');
    const body = SidecarStatusReport.parse(first.body);
    expect(body).toMatchObject({
      instance_id: 'sidecar-1',
      service: 'orders',
      applied_revision: 4,
      rejected_revision: 5,
      rejection_reason: status.rejection_reason,
      connected: true,
      counters: { requests: 10, denied: 2, rate_limited: 1 },
    });
    expect(body.uptime_s).toBeGreaterThan(0);
    expect(body.host).not.toBe('');
  });

  it('ignores failures: refused reports and an unreachable control plane', async () => {
    const { url } = await statusEndpoint(503);
    reporter = createStatusReporter({ controlPlane: url, service: 'orders', token: 't', instanceId: 'i', intervalMs: 100, getStatus: () => status });
    expect(await reporter.reportOnce()).toBe(false);
    await reporter.stop();

    reporter = createStatusReporter({ controlPlane: 'http://127.0.0.1:1', service: 'orders', token: 't', instanceId: 'i', intervalMs: 100, getStatus: () => status });
    expect(await reporter.reportOnce()).toBe(false);
  });

  it('stops: no report after stop() and no timer left', async () => {
    const { url, received } = await statusEndpoint();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    reporter = createStatusReporter({ controlPlane: url, service: 'orders', token: 't', instanceId: 'i', intervalMs: 100, getStatus: () => status });
    reporter.start();
    await expect.poll(() => received.length).toBe(1);
    await reporter.stop();
    const n = received.length;
    await new Promise((r) => setTimeout(r, 250));
    expect(received.length).toBe(n);
    expect(timers()).toBeLessThanOrEqual(before);
    expect(await reporter.reportOnce()).toBe(false);
  });

  it('checks its options when built', () => {
    const o = { service: 'orders', token: 't', instanceId: 'i', getStatus: () => status };
    expect(() => createStatusReporter({ ...o, controlPlane: 'nope', intervalMs: 1000 })).toThrow(/controlPlane/);
    expect(() => createStatusReporter({ ...o, controlPlane: 'http://x', intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
