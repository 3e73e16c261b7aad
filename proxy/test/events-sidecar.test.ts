/**
 * Events through the assembled sidecar (`startProxy`): the same authentication as any request (API keys and JWTs of
 * the bundle), SSE and WebSocket served by the events stage, publishing on the admin port, a bundle change revoking
 * a permission, resumption, a too-old resume, a slow consumer, the metrics on /metrics.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { demoCredentials, startTestSidecar, type TestSidecar } from './helpers.js';
import { openSse, openWs, until, type WsClient } from './events/clients.js';
import { eventsBundle, jwtFor, publishAt } from './events/sidecar-fixtures.js';

const VIEWER = demoCredentials.apiKeys.viewer; // roles [viewer]: agents:read, workflows:read
const OPERATOR = demoCredentials.apiKeys.operator; // roles [operator] + events:publish (fixtures)

/** A WebSocket with the credential in the subprotocol list, as a browser sends it (`websocket.tokenIn: protocol`). */
async function openBrowserWs(url: string, token: string): Promise<WsClient & { protocol: string }> {
  const ws = new WebSocket(url, ['agentcore.v1', `bearer.${token}`]);
  const messages: Record<string, unknown>[] = [];
  const c = {
    ws,
    messages,
    closed: undefined as { code: number; reason: string } | undefined,
    events: (sub?: string) => messages.filter((m) => m.type === 'event' && (sub === undefined || m.subscription === sub)).map((m) => m.event as { id: string; topic: string; type: string; data: unknown }),
    send: (msg: unknown) => ws.send(JSON.stringify(msg)),
    protocol: '',
  };
  ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Record<string, unknown>));
  ws.on('close', (code, reason) => (c.closed = { code, reason: String(reason) }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  c.protocol = ws.protocol;
  return c;
}

let backend: Server;
let backendHits = 0;
let sidecar: TestSidecar;

beforeAll(async () => {
  backend = createServer((_req, res) => {
    backendHits++;
    res.end('backend');
  }).listen(0, '127.0.0.1');
  await new Promise((r) => backend.once('listening', r));
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, eventsBundle());
});
afterAll(async () => {
  await sidecar?.close();
  await new Promise((r) => backend.close(r));
});

const streamUrl = (q: string): string => `${sidecar.url}/api/v1/events?${q}`;
const wsUrl = (): string => `${sidecar.url.replace('http:', 'ws:')}/api/v1/events`;

const publish = (event: unknown, key?: string | null): Promise<{ status: number; body: Record<string, unknown> }> => publishAt(sidecar.adminUrl, event, key);

describe('events through the sidecar: subscribe and publish', () => {
  it('serves SSE with the route authentication and delivers a published event; the backend is never contacted', async () => {
    const sse = await openSse(streamUrl('topic=agents/a1'), { 'x-api-key': VIEWER });
    expect(sse.status).toBe(200);
    expect(sse.res.headers['content-type']).toMatch(/^text\/event-stream/);
    await until(() => sse.frames.some((f) => f.retry === 700), 'retry:');
    const p = await publish({ topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } });
    expect(p.status).toBe(202);
    await until(() => sse.events().length === 1, 'the event');
    expect(sse.events()[0]).toMatchObject({ id: p.body.id, topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } });
    sse.close();
    expect(backendHits).toBe(0);
  });

  it('refuses without credentials (401 from the pipeline) and a topic the principal may not read (403 body)', async () => {
    const anon = await openSse(streamUrl('topic=agents/a1'));
    expect(anon.status).toBe(401);
    const op = await openSse(streamUrl('topic=agents/a1'), { authorization: `Bearer ${await jwtFor('guest', ['nobody'])}` });
    await until(() => op.ended, 'the 403 body');
    expect(op.status).toBe(403);
    expect(JSON.parse(op.body).error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('agents:read') });
    const none = await openSse(streamUrl('x=1'), { 'x-api-key': VIEWER });
    await until(() => none.ended, 'the 400 body');
    expect(none.status).toBe(400);
    const post = await fetch(streamUrl('topic=agents/a1'), { method: 'POST', headers: { 'x-api-key': VIEWER } });
    expect(post.status).toBe(405);
  });

  it('serves the WebSocket protocol: subscribe, receive, a refused topic named on the stream', async () => {
    const ws = await openBrowserWs(wsUrl(), await jwtFor('alice', ['viewer']));
    expect(ws.protocol).toBe('agentcore.v1'); // never the bearer entry
    ws.send({ type: 'subscribe', id: 's1', topics: ['agents/*', 'billing/x'] });
    await until(() => ws.messages.some((m) => m.type === 'subscribed'), 'subscribed');
    const err = ws.messages.find((m) => m.type === 'error') as { error: { code: string; details: { reason: string } } };
    expect(err.error.code).toBe('FORBIDDEN');
    expect(err.error.details.reason).toBe('NO_RULE');
    const p = await publish({ topic: 'agents/a7', type: 't', data: 1 });
    await until(() => ws.events('s1').length === 1, 'the ws event');
    expect(ws.events('s1')[0]!.id).toBe(p.body.id);
    ws.ws.close();
  });

  it('refuses a publisher without credentials (401), without the permission (403), an oversized event (413), bad JSON (400)', async () => {
    expect((await publish({ topic: 'agents/a1', type: 't', data: 1 }, null)).status).toBe(401);
    const viewer = await publish({ topic: 'agents/a1', type: 't', data: 1 }, VIEWER);
    expect(viewer.status).toBe(403);
    expect(viewer.body.error).toMatchObject({ code: 'FORBIDDEN' });
    const big = await publish({ topic: 'agents/a1', type: 't', data: 'x'.repeat(80_000) });
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await publish('{nope')).status).toBe(400);
    expect((await publishAt(sidecar.adminUrl, { topic: 'a', type: 't', data: 1 }, OPERATOR, 'nope')).status).toBe(404);
  });
});

describe('events through the sidecar: resumption and bounds', () => {
  it('resumes after a disconnect with Last-Event-ID: nothing lost, nothing twice', async () => {
    const first = await openSse(streamUrl('topic=workflows/w1/runs'), { 'x-api-key': VIEWER });
    await until(() => first.frames.some((f) => f.retry !== undefined), 'stream open');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await publish({ topic: 'workflows/w1/runs', type: 'run', data: i })).body.id as string);
    await until(() => first.events().length === 3, 'three events');
    first.close();
    for (let i = 3; i < 5; i++) ids.push((await publish({ topic: 'workflows/w1/runs', type: 'run', data: i })).body.id as string);
    const again = await openSse(streamUrl('topic=workflows/w1/runs'), { 'x-api-key': VIEWER, 'last-event-id': ids[2]! });
    ids.push((await publish({ topic: 'workflows/w1/runs', type: 'run', data: 5 })).body.id as string);
    await until(() => again.events().length >= 3, 'resumed events');
    await new Promise((r) => setTimeout(r, 200));
    expect(again.events().map((e) => e.id)).toEqual(ids.slice(3));
    expect(again.frames.some((f) => f.event === 'agentcore.gap')).toBe(false);
    again.close();
  });

  it('tells a too-old resume explicitly (gap), then sends what is left', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) ids.push((await publish({ topic: 'workflows/old/runs', type: 'run', data: i })).body.id as string);
    const sse = await openSse(streamUrl('topic=workflows/old/runs'), { 'x-api-key': VIEWER, 'last-event-id': ids[0]! });
    await until(() => sse.events().length === 5, 'the 5 kept events');
    const gap = sse.frames.find((f) => f.event === 'agentcore.gap');
    expect(JSON.parse(gap!.data!)).toMatchObject({ topics: ['workflows/old/runs'], lastEventId: ids[0] });
    expect(sse.events().map((e) => e.id)).toEqual(ids.slice(4));
    sse.close();
  });

  it('bounds a slow consumer: a reader that stops reading is disconnected and counted', async () => {
    const sse = await openSse(streamUrl('topic=agents/slow'), { 'x-api-key': VIEWER });
    await until(() => sse.frames.some((f) => f.retry !== undefined), 'stream open');
    sse.res.socket.pause(); // stops reading: the kernel buffers fill, then the sidecar's queue (20 frames)
    const data = 'y'.repeat(60_000);
    for (let i = 0; i < 400 && !sse.ended; i++) await publish({ topic: 'agents/slow', type: 'big', data });
    sse.res.socket.resume();
    await until(() => sse.ended, 'the slow consumer dropped', 10_000);
    const metrics = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/agentcore_events_dropped_total\{reason="slow_consumer"\} [1-9]/);
  });
});

describe('events through the sidecar: bundle changes and metrics', () => {
  it('ends subscriptions within 1 s when a new bundle removes the permission', async () => {
    const sse = await openSse(streamUrl('topic=agents/a9'), { 'x-api-key': VIEWER });
    const ws = await openWs(wsUrl(), undefined).catch(() => undefined);
    expect(ws).toBeUndefined(); // no credential: 401
    const wsc = await openWs(`${wsUrl()}?access_token=${await jwtFor('bob', ['viewer'])}`, undefined);
    wsc.send({ type: 'subscribe', id: 'a', topics: ['agents/a9'] });
    await until(() => wsc.messages.some((m) => m.type === 'subscribed') && sse.frames.length > 0, 'both subscribed');
    const t0 = Date.now();
    writeFileSync(sidecar.bundlePath, JSON.stringify(eventsBundle(['workflows:read'], 2)));
    const r = await sidecar.reload();
    expect(r).toEqual({ applied: true, revision: 2 });
    await until(() => sse.ended && wsc.messages.some((m) => m.type === 'unsubscribed'), 'revocation', 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    const sseErr = sse.frames.find((f) => f.event === 'agentcore.error');
    expect(JSON.parse(sseErr!.data!).error.details.reason).toBe('PERMISSION_REVOKED');
    expect(wsc.messages.find((m) => m.type === 'unsubscribed')).toMatchObject({ id: 'a', reason: 'PERMISSION_REVOKED' });
    // a new subscription is refused under the new bundle
    const again = await openSse(streamUrl('topic=agents/a9'), { 'x-api-key': VIEWER });
    await until(() => again.ended, '403');
    expect(again.status).toBe(403);
    wsc.ws.close();
    writeFileSync(sidecar.bundlePath, JSON.stringify(eventsBundle(undefined, 3)));
    expect((await sidecar.reload()).applied).toBe(true);
  });

  it('exposes the event metrics on the admin port /metrics', async () => {
    const text = await (await fetch(`${sidecar.adminUrl}/metrics`)).text();
    for (const name of ['agentcore_events_connections', 'agentcore_events_subscriptions', 'agentcore_events_in_total', 'agentcore_events_out_total', 'agentcore_events_delivery_lag_seconds']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/agentcore_events_in_total\{source="publish"\} [1-9]/);
  });
});
