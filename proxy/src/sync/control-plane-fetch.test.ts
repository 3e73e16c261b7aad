import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createControlPlaneClient, discardBody } from './control-plane-fetch.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('createControlPlaneClient', () => {
  it('closes its own sockets on close()', async () => {
    server = createServer((req, res) => res.end(`hello ${req.headers['x-a'] as string}`));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const client = createControlPlaneClient();
    const res = await client.fetch(url, { method: 'GET', headers: { 'x-a': 'b' }, signal: new AbortController().signal });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello b');
    const open = await new Promise<number>((r) => server!.getConnections((_e, n) => r(n)));
    expect(open).toBe(1); // kept alive
    await client.close();
    await expect.poll(() => new Promise<number>((r) => server!.getConnections((_e, n) => r(n)))).toBe(0);
  });

  it('passes an injected fetch through and close() is a no-op', async () => {
    const calls: string[] = [];
    const client = createControlPlaneClient(async (url) => {
      calls.push(url);
      return { status: 204, headers: { get: () => null }, text: async () => { throw new Error('no body'); } };
    });
    const res = await client.fetch('http://x/', { method: 'GET', headers: {}, signal: new AbortController().signal });
    await discardBody(res); // a failing body read is swallowed
    await client.close();
    expect(calls).toEqual(['http://x/']);
  });
});
