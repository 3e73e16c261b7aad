// OTLP/HTTP export to a test receiver on 127.0.0.1: the spans arrive as OTLP JSON with the caller's
// trace id and parent span id, the stage decisions as events, and sampling as configured.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkTracingOptions, createRequestTracer, type RequestTracer } from './request-tracer.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
  events: { name: string; attributes: { key: string; value: Record<string, unknown> }[] }[];
  status?: { code?: number };
}
let receiver: Server;
let endpoint: string;
const received: { contentType: string; spans: OtlpSpan[]; service: unknown }[] = [];
const spans = () => received.flatMap((r) => r.spans);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const doc = JSON.parse(body) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
        received.push({ contentType: String(req.headers['content-type']), service, spans: rs.scopeSpans.flatMap((s) => s.spans) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
});
afterAll(() => new Promise<void>((r) => receiver.close(() => r())));
beforeEach(() => {
  received.length = 0;
});

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
const attr = (s: { attributes: OtlpSpan['attributes'] }, key: string) => Object.values(s.attributes.find((a) => a.key === key)?.value ?? {})[0];

async function oneRequest(tracer: RequestTracer, headers: Record<string, string>) {
  const span = tracer.startRequest('GET', '/api/v1/agents?secret=x', headers);
  span.stage('authenticate', 'allow', 'GRANTED', { 'agentcore.principal_kind': 'api-key' });
  span.route('agents-list');
  span.stage('rate-limit', 'allow');
  span.end(200);
  await tracer.forceFlush();
  return span;
}

describe('OTLP/HTTP export', () => {
  it('joins the incoming trace: same trace id, the caller span as parent, stage decisions as events', async () => {
    const tracer = createRequestTracer({ endpoint, sampleRatio: 0, serviceName: 'agentcore-proxy', instanceId: 'orders-1' });
    const span = await oneRequest(tracer, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` });
    await tracer.shutdown();
    expect(received[0]!.contentType).toMatch(/application\/json/);
    expect(received[0]!.service).toBe('agentcore-proxy');
    const [s] = spans();
    expect(spans()).toHaveLength(1);
    expect(s!.traceId).toBe(PARENT_TRACE);
    expect(s!.parentSpanId).toBe(PARENT_SPAN);
    expect(s!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(s!.spanId).not.toBe(PARENT_SPAN);
    expect(s!.name).toBe('GET agents-list');
    expect(s!.kind).toBe(2); // SERVER
    expect(attr(s!, 'url.path')).toBe('/api/v1/agents'); // never the query string
    expect(attr(s!, 'http.response.status_code')).toBe(200);
    expect(s!.events.map((e) => e.name)).toEqual(['agentcore.stage.authenticate', 'agentcore.stage.rate-limit']);
    expect(attr(s!.events[0]!, 'agentcore.reason')).toBe('GRANTED');
    // What goes upstream: the same trace, this span as the parent.
    expect(span.traceparent()).toBe(`00-${PARENT_TRACE}-${s!.spanId}-01`);
  });

  it('samples new traces at the ratio: 1 records a root span, 0 records nothing', async () => {
    const all = createRequestTracer({ endpoint, sampleRatio: 1 });
    await oneRequest(all, {});
    await all.shutdown();
    expect(spans()).toHaveLength(1);
    expect(spans()[0]!.parentSpanId ?? '').toBe('');
    received.length = 0;
    const none = createRequestTracer({ endpoint, sampleRatio: 0 });
    const span = await oneRequest(none, {});
    await none.shutdown();
    expect(span.recording).toBe(false);
    expect(span.traceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(spans()).toHaveLength(0);
  });

  it('a ratio of 0.5 records about half of 400 new traces', async () => {
    const half = createRequestTracer({ endpoint, sampleRatio: 0.5, scheduledDelayMs: 50 });
    for (let i = 0; i < 400; i++) half.startRequest('GET', '/', {}).end(204);
    await half.shutdown();
    expect(spans().length).toBeGreaterThan(120);
    expect(spans().length).toBeLessThan(280);
  });

  it('follows an unsampled parent, ignores a malformed traceparent (new root trace)', async () => {
    const tracer = createRequestTracer({ endpoint, sampleRatio: 1 });
    await oneRequest(tracer, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` });
    expect(spans()).toHaveLength(0);
    await oneRequest(tracer, { traceparent: '00-zzzz-not-a-traceparent-01' });
    await tracer.shutdown();
    expect(spans()).toHaveLength(1);
    expect(spans()[0]!.traceId).not.toBe(PARENT_TRACE);
    expect(spans()[0]!.parentSpanId ?? '').toBe('');
  });

  it('marks 5xx as an error, and never throws when the collector is down', async () => {
    const tracer = createRequestTracer({ endpoint, sampleRatio: 1 });
    tracer.startRequest('POST', '/x', {}).end(503);
    await tracer.shutdown();
    expect(spans()[0]!.status?.code).toBe(2);
    const errors: string[] = [];
    const down = createRequestTracer({ endpoint: 'http://127.0.0.1:9/v1/traces', sampleRatio: 1, onFlushError: (e) => errors.push(e.message) });
    down.startRequest('GET', '/', {}).end(200);
    const started = Date.now();
    await expect(down.shutdown()).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errors.join()).toMatch(/ECONNREFUSED/);
  });

  it('rejects invalid options with a message', () => {
    expect(checkTracingOptions({ endpoint: 'collector:4318', sampleRatio: 0.1 })[0]).toMatch(/http\(s\) URL/);
    expect(checkTracingOptions({ endpoint, sampleRatio: 1.5 })[0]).toMatch(/between 0 and 1/);
    expect(() => createRequestTracer({ endpoint, sampleRatio: Number.NaN })).toThrow(/sample ratio/);
  });
});
