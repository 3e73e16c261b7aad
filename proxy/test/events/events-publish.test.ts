import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryEventBus } from '../../src/events/memory-bus.js';
import { POLICY, publish, startEventsServer } from './events-test-server.js';
import type { EventsTestServer } from './events-test-server.js';

let server: EventsTestServer;
let bus: MemoryEventBus;
beforeAll(async () => {
  bus = new MemoryEventBus({ history: POLICY.history });
  server = await startEventsServer(bus);
});
afterAll(() => server.close());

function errorOf(body: Record<string, unknown>): { code: string; message: string; details: Record<string, unknown>; request_id: string; timestamp: string } {
  return body.error as never;
}

describe('publish endpoint', () => {
  it('accepts a valid event with 202 and the bus id, and stores it', async () => {
    const r = await publish(server.url, { topic: 'agents/a1', type: 'agent.status', data: { ok: true }, id: 'src-1', owner: 'alice', audience: ['role:user'] });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ id: expect.stringMatching(/^\d+-\d+$/), topic: 'agents/a1' });
    const h = await bus.history('0-0', 'agents/a1', () => true);
    expect(h.events.at(-1)).toMatchObject({ id: r.body.id, type: 'agent.status', data: { ok: true }, sourceId: 'src-1', owner: 'alice', audience: ['role:user'] });
  });

  it.each([
    [null, 401, 'UNAUTHENTICATED', 'publishing needs credentials'],
    ['alice', 403, 'FORBIDDEN', 'publishing requires events:publish'],
  ])('refuses publisher %s with %i', async (token, status, code, message) => {
    const r = await publish(server.url, { topic: 'agents/a1', type: 't', data: 1 }, token);
    expect(r.status).toBe(status);
    expect(errorOf(r.body)).toMatchObject({ code, message, request_id: expect.stringMatching(/^req-/) });
  });

  it('refuses an oversized event with 413 before reading it all', async () => {
    const r = await publish(server.url, { topic: 'agents/a1', type: 't', data: 'z'.repeat(POLICY.publish.maxEventBytes) });
    expect(r.status).toBe(413);
    expect(errorOf(r.body).message).toContain(`the limit is ${POLICY.publish.maxEventBytes}`);
  });

  it('refuses an oversized chunked body (no content-length) with 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/publish`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer backend' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"topic":"agents/a1","type":"t","data":"');
      req.write('z'.repeat(POLICY.publish.maxEventBytes + 10));
      req.end('"}');
    });
    expect(status).toBe(413);
  });

  it.each([
    ['not json', 'the body is not JSON'],
    [{ topic: 'agents/*', type: 't', data: 1 }, 'topic must be a topic'],
    [{ topic: 'agents/a1', type: 'has space', data: 1 }, 'type must be 1-64'],
    [{ topic: 'agents/a1', type: 't' }, 'data'],
    [{ topic: 'agents/a1', type: 't', data: 1, extra: true }, 'extra'],
    [{ topic: 'agents/a1', type: 't', data: 1, audience: [] }, 'audience'],
  ])('refuses %j with 400 and says what is wrong', async (event, message) => {
    const r = await publish(server.url, event);
    expect(r.status).toBe(400);
    expect(errorOf(r.body)).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(errorOf(r.body).message).toContain(message);
  });

  it('refuses other media types with 415 and other methods with 405', async () => {
    const r = await fetch(`${server.url}/publish`, { method: 'POST', headers: { authorization: 'Bearer backend', 'content-type': 'text/plain' }, body: '{}' });
    expect(r.status).toBe(415);
    const g = await fetch(`${server.url}/publish`, { headers: { authorization: 'Bearer backend' } });
    expect(g.status).toBe(405);
    expect(g.headers.get('allow')).toBe('POST');
  });
});
