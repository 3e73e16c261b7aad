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

describe('the control-plane client in the shape of fetch', () => {
  const listen = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
    server = createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('sends method, path with query, headers and body; reads status, headers (any case, repeated joined) and text', async () => {
    const seen: { method?: string; url?: string; auth?: string; body?: string } = {};
    const base = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        Object.assign(seen, { method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.setHeader('ETag', '"r7"');
        res.setHeader('x-many', ['a', 'b']);
        res.writeHead(201).end('näive');
      });
    });
    const client = createControlPlaneClient();
    try {
      const res = await client.fetch(`${base}/api/v1/x?wait=30`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"a":1}', signal: new AbortController().signal });
      expect(res.status).toBe(201);
      expect(res.headers.get('etag')).toBe('"r7"');
      expect(res.headers.get('ETag')).toBe('"r7"');
      expect(res.headers.get('x-many')).toBe('a, b');
      expect(res.headers.get('x-none')).toBeNull();
      expect(await res.text()).toBe('näive');
      expect(seen).toEqual({ method: 'POST', url: '/api/v1/x?wait=30', auth: 'Bearer t', body: '{"a":1}' });
    } finally {
      await client.close();
    }
  });

  it('fails like fetch: TypeError "fetch failed" with the cause, and the abort reason when aborted', async () => {
    const base = await listen((_req, res) => setTimeout(() => res.end('late'), 5_000));
    const client = createControlPlaneClient();
    try {
      const failure = (p: Promise<unknown>): Promise<Error> => p.then(() => new Error('resolved instead of failing'), (e: unknown) => e as Error);
      const refused = await failure(client.fetch('http://127.0.0.1:1/', { method: 'GET', headers: {}, signal: new AbortController().signal }));
      expect(refused).toBeInstanceOf(TypeError);
      expect(refused.message).toBe('fetch failed');
      expect((refused.cause as Error).message).toMatch(/ECONNREFUSED/);
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('no answer within 50 ms')), 50);
      const aborted = await failure(client.fetch(`${base}/`, { method: 'GET', headers: {}, signal: ac.signal }));
      expect(aborted.message).toBe('no answer within 50 ms');
    } finally {
      await client.close();
    }
  });

  it('does not follow a redirect (the bearer token stays with the control plane)', async () => {
    let hits = 0;
    const base = await listen((req, res) => {
      hits++;
      if (req.url === '/moved') res.writeHead(302, { location: '/elsewhere' }).end();
      else res.end('followed');
    });
    const client = createControlPlaneClient();
    try {
      const res = await client.fetch(`${base}/moved`, { method: 'GET', headers: { authorization: 'Bearer t' }, signal: new AbortController().signal });
      expect(res.status).toBe(302);
      await discardBody(res);
      expect(hits).toBe(1);
    } finally {
      await client.close();
    }
  });
});
