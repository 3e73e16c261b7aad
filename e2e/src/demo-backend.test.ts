import { request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startDemoBackend } from './demo-backend.js';
import type { Agent, DemoBackend } from './demo-backend.js';

let backend: DemoBackend;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
});
afterAll(async () => {
  await backend.close();
});

interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read arbitrary fields
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(backend.url + path, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/** A raw node:http GET that resolves with the response, or rejects with the client error. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(backend.url + path, { headers, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectJson(headers: Headers | IncomingHttpHeaders): void {
  const ct = headers instanceof Headers ? headers.get('content-type') : headers['content-type'];
  expect(ct).toBe('application/json');
}

describe('plain routes', () => {
  it.each([
    ['/healthz', { status: 'ok' }],
    ['/api/v1/admin', { admin: true }],
    ['/api/v1/admin/users/42', { admin: true }],
  ])('GET %s', async (path, expected) => {
    const r = await call('GET', path);
    expect(r.status).toBe(200);
    expectJson(r.headers);
    expect(r.body).toEqual(expected);
  });

  it('admin answers every method', async () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect((await call(m, '/api/v1/admin/x', {})).body).toEqual({ admin: true });
  });

  it('GET /api/v1/status reports service, version and uptime', async () => {
    const r = await call('GET', '/api/v1/status');
    expect(r.body).toMatchObject({ service: 'agents', version: '1.0.0' });
    expect(typeof r.body.uptime_s).toBe('number');
    expect(r.body.uptime_s).toBeGreaterThanOrEqual(0);
  });

  it('unknown path is a 404 in the spec error format carrying the X-Request-ID', async () => {
    const r = await call('GET', '/nope', undefined, { 'x-request-id': 'req-123' });
    expect(r.status).toBe(404);
    expectJson(r.headers);
    expect(r.body.error).toMatchObject({ code: 'NOT_FOUND', request_id: 'req-123' });
    expect(typeof r.body.error.message).toBe('string');
    expect(Number.isNaN(Date.parse(r.body.error.timestamp))).toBe(false);
  });

  it('a method the route lacks is 405 with Allow', async () => {
    const r = await call('DELETE', '/api/v1/agents');
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, POST');
    expect(r.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('HEAD is answered like GET without a body', async () => {
    const res = await fetch(backend.url + '/healthz', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('agents', () => {
  it('lists the three seeded agents', async () => {
    const r = await call('GET', '/api/v1/agents');
    expect(r.status).toBe(200);
    const seeded = (r.body.agents as Agent[]).slice(0, 3);
    expect(seeded.map((a) => a.status)).toEqual(['idle', 'running', 'failed']);
    for (const a of seeded) {
      expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(typeof a.name).toBe('string');
      expect(Number.isNaN(Date.parse(a.created_at))).toBe(false);
    }
  });

  it('creates, reads, replaces, patches and deletes an agent', async () => {
    const created = await call('POST', '/api/v1/agents', { name: 'writer' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'writer', status: 'idle' });
    const path = `/api/v1/agents/${created.body.id as string}`;
    expect(created.headers.get('location')).toBe(path);

    expect((await call('GET', path)).body).toEqual(created.body);
    const put = await call('PUT', path, { name: 'writer-2', status: 'running' });
    expect(put.body).toMatchObject({ id: created.body.id, name: 'writer-2', status: 'running' });
    const patch = await call('PATCH', path, { status: 'failed' });
    expect(patch.body).toMatchObject({ name: 'writer-2', status: 'failed' });

    const del = await fetch(backend.url + path, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await call('GET', path)).status).toBe(404);
  });

  it.each([
    ['POST', '/api/v1/agents', '{not json', 'INVALID_REQUEST'],
    ['POST', '/api/v1/agents', '[]', 'INVALID_REQUEST'],
    ['POST', '/api/v1/agents', '{"name":""}', 'INVALID_REQUEST'],
    ['POST', '/api/v1/workflows', '{"name":5}', 'INVALID_REQUEST'],
  ])('%s %s with %s is rejected as %s', async (method, path, body, code) => {
    const r = await call(method, path, body, { 'x-request-id': 'bad-1' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code, request_id: 'bad-1' });
  });

  it('PUT needs a valid status, PATCH validates what it gets', async () => {
    const id = ((await call('GET', '/api/v1/agents')).body.agents as Agent[])[0]?.id ?? '';
    expect((await call('PUT', `/api/v1/agents/${id}`, { name: 'x' })).status).toBe(400);
    const r = await call('PATCH', `/api/v1/agents/${id}`, { status: 'sleeping' });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toMatchObject({ field: 'status' });
  });

  it('an unknown agent is 404 NOT_FOUND with the request id', async () => {
    const r = await call('GET', '/api/v1/agents/00000000-0000-0000-0000-000000000000', undefined, { 'x-request-id': 'abc' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'NOT_FOUND', request_id: 'abc' });
  });
});

describe('workflows', () => {
  it('lists, creates, reads and starts a run', async () => {
    const list = await call('GET', '/api/v1/workflows');
    expect(list.body.workflows.length).toBeGreaterThanOrEqual(2);
    const created = await call('POST', '/api/v1/workflows', { name: 'nightly' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/workflows/${created.body.id as string}`);
    expect((await call('GET', `/api/v1/workflows/${created.body.id as string}`)).body).toEqual(created.body);
    const run = await call('POST', `/api/v1/workflows/${created.body.id as string}/runs`, { input: 1 });
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({ workflow_id: created.body.id, status: 'queued' });
    expect((await call('POST', '/api/v1/workflows/missing/runs')).status).toBe(404);
    expect((await call('GET', '/api/v1/workflows/missing')).status).toBe(404);
  });
});

describe('debug echo and recording', () => {
  it('echoes method, url, raw headers and body, and records the request', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${backend.url}/api/v1/debug/echo?x=1`, { method: 'POST', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.setHeader('X-Mixed-Case', 'One');
      req.setHeader('content-type', 'text/plain');
      req.end('hello');
    });
    expect(r.status).toBe(200);
    const echo = JSON.parse(r.body);
    expect(echo).toMatchObject({ method: 'POST', url: '/api/v1/debug/echo?x=1', body: 'hello' });
    expect(echo.headers['x-mixed-case']).toBe('One');
    expect(echo.rawHeaders).toContain('X-Mixed-Case');

    const last = backend.received.at(-1);
    expect(last).toMatchObject({ method: 'POST', url: '/api/v1/debug/echo?x=1', body: 'hello' });
    expect(last?.rawHeaders).toContain('X-Mixed-Case');
    expect(last?.headers['x-mixed-case']).toBe('One');
  });

  it('echo works for GET too', async () => {
    const r = await call('GET', '/api/v1/debug/echo', undefined, { 'x-request-id': 'e1' });
    expect(r.body).toMatchObject({ method: 'GET', body: '' });
    expect(r.body.headers['x-request-id']).toBe('e1');
  });

  it('refuses a declared body over 10 MiB with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${backend.url}/api/v1/debug/echo`, { method: 'POST', agent: false, headers: { 'content-length': String(MAX_BODY_BYTES + 1) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('refuses a streamed body over 10 MiB with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${backend.url}/api/v1/debug/echo`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(Buffer.alloc(MAX_BODY_BYTES + 1, 'a'));
    });
    expect(status).toBe(413);
  });
});

/** Reads SSE events from a response until `count` have arrived. */
function readEvents(res: IncomingMessage, count: number): Promise<{ id: number; event: string; data: { status: string; seq: number } }[]> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const events: { id: number; event: string; data: { status: string; seq: number } }[] = [];
    res.setEncoding('utf8');
    const onData = (chunk: string): void => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as const));
        if (!fields.has('id')) continue;
        events.push({ id: Number(fields.get('id')), event: fields.get('event') ?? '', data: JSON.parse(fields.get('data') ?? 'null') });
        if (events.length === count) {
          res.off('data', onData);
          res.pause();
          resolve(events);
        }
      }
    };
    res.on('data', onData);
    res.on('error', reject);
    res.on('end', () => reject(new Error(`stream ended after ${events.length} events`)));
  });
}

describe('agent status SSE', () => {
  it('streams numbered status events, resumes after Last-Event-ID, and notices disconnects', async () => {
    const agent = ((await call('GET', '/api/v1/agents')).body.agents as Agent[])[1] as Agent;
    const path = `/api/v1/agents/${agent.id}/status?interval_ms=20`;
    const before = backend.sseClientsOpen;

    const first = await rawGet(path);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream');
    await until(() => backend.sseClientsOpen === before + 1);
    const events = await readEvents(first, 3);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.event === 'status' && e.data.status === agent.status)).toBe(true);

    const resumed = await rawGet(path, { 'last-event-id': '41' });
    await until(() => backend.sseClientsOpen === before + 2);
    expect((await readEvents(resumed, 2)).map((e) => e.id)).toEqual([42, 43]);

    first.destroy();
    await until(() => backend.sseClientsOpen === before + 1);
    resumed.destroy();
    await until(() => backend.sseClientsOpen === before);
  });

  it('reflects a status change and ends after max_events', async () => {
    const agent = ((await call('GET', '/api/v1/agents')).body.agents as Agent[])[0] as Agent;
    await call('PATCH', `/api/v1/agents/${agent.id}`, { status: 'running' });
    const res = await rawGet(`/api/v1/agents/${agent.id}/status?interval_ms=5&max_events=2`);
    const events = await readEvents(res, 2);
    expect(events.map((e) => e.data.status)).toEqual(['running', 'running']);
    await new Promise((r) => res.on('end', r).resume());
  });

  it('answers 404 JSON for an unknown agent and 400 for a bad interval', async () => {
    expect((await call('GET', '/api/v1/agents/unknown/status')).status).toBe(404);
    const agent = ((await call('GET', '/api/v1/agents')).body.agents as Agent[])[0] as Agent;
    expect((await call('GET', `/api/v1/agents/${agent.id}/status?interval_ms=abc`)).status).toBe(400);
  });
});

describe('test helpers', () => {
  it('/__test/slow waits before answering', async () => {
    const t0 = performance.now();
    const r = await call('GET', '/__test/slow?ms=150');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(r.body).toEqual({ slept_ms: 150 });
  });

  it('/__test/stream sends a JSON array in separate chunks over time', async () => {
    const res = await rawGet('/__test/stream?chunks=4&interval_ms=40');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expectJson(res.headers);
    const arrivals: number[] = [];
    let body = '';
    const t0 = performance.now();
    res.setEncoding('utf8');
    for await (const chunk of res) {
      arrivals.push(performance.now() - t0);
      body += chunk as string;
    }
    expect(JSON.parse(body).map((c: { chunk: number }) => c.chunk)).toEqual([0, 1, 2, 3]);
    // The last element is written 120 ms after the first: the body arrives in pieces, over time.
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(60);
  });

  it('/__test/bytes sends exactly n bytes', async () => {
    for (const n of [0, 1, 99, 200_000]) {
      const res = await fetch(`${backend.url}/__test/bytes?n=${n}`);
      expect(res.headers.get('content-length')).toBe(String(n));
      expect((await res.arrayBuffer()).byteLength).toBe(n);
    }
  });

  it('/__test/bad-header makes the HTTP client fail to parse the response', async () => {
    await expect(rawGet('/__test/bad-header')).rejects.toMatchObject({ code: expect.stringMatching(/^HPE_/) });
  });

  it('/__test/destroy sends headers and part of the body, then drops the connection', async () => {
    const res = await rawGet('/__test/destroy');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-length']).toBe('1024');
    let got = 0;
    const outcome = await new Promise<string>((resolve) => {
      res.on('data', (c: Buffer) => (got += c.length));
      res.on('end', () => resolve('end'));
      res.on('error', () => resolve('error'));
      res.on('aborted', () => resolve('aborted'));
    });
    expect(outcome).not.toBe('end');
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(1024);
  });

  it('rejects an invalid helper parameter with 400', async () => {
    expect((await call('GET', '/__test/slow?ms=-1')).status).toBe(400);
    expect((await call('GET', '/__test/bytes?n=1.5')).status).toBe(400);
  });
});

describe('close', () => {
  it('ends open SSE streams and stops listening', async () => {
    const other = await startDemoBackend({ quiet: true });
    const list = await (await fetch(`${other.url}/api/v1/agents`)).json();
    const id = (list as { agents: Agent[] }).agents[0]?.id ?? '';
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      request(`${other.url}/api/v1/agents/${id}/status?interval_ms=10`, { agent: false }, resolve).on('error', reject).end();
    });
    res.on('error', () => {});
    res.resume();
    await until(() => other.sseClientsOpen === 1);
    await other.close();
    await until(() => other.sseClientsOpen === 0);
    await expect(fetch(`${other.url}/healthz`)).rejects.toThrow();
  });
});
