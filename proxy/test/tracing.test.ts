/**
 * Tracing through the assembled sidecar: a test OTLP/HTTP receiver collects the spans the sidecar exports, a
 * backend records the traceparent it was sent. One span per request, the stages' decisions as events, the
 * caller's traceparent honoured, the backend's traceparent naming the sidecar's span, ratio 0 exports nothing
 * new, and the spans of in-flight requests are flushed on drain.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, startTestSidecar, type TestSidecar } from './helpers.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  events?: { name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[];
  attributes?: { key: string; value: Record<string, unknown> }[];
}

const servers: Server[] = [];
function listen(s: Server): Promise<string> {
  servers.push(s);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
}

const spans: OtlpSpan[] = [];
const otlpRequests: IncomingHttpHeaders[] = [];
const backendSaw: IncomingHttpHeaders[] = [];
let otlpUrl: string;
let backendUrl: string;
const sidecars: TestSidecar[] = [];

beforeAll(async () => {
  otlpUrl = await listen(
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        otlpRequests.push(req.headers);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    }),
  );
  backendUrl = await listen(
    createServer((req, res) => {
      backendSaw.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }),
  );
});
afterAll(async () => {
  for (const s of sidecars) await s.close();
  for (const s of servers) s.close();
});

async function sidecar(ratio: string): Promise<TestSidecar> {
  const s = await startTestSidecar(backendUrl, undefined, ['--otlp-endpoint', `${otlpUrl}/v1/traces`, '--trace-sample-ratio', ratio, '--log-level', 'warn'], {
    AGENTCORE_PROXY_OTLP_HEADERS: 'authorization=Bearer%20collector-token',
  });
  sidecars.push(s);
  return s;
}

async function waitFor<T>(fn: () => T | undefined, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const attr = (list: OtlpSpan['attributes'], key: string): unknown => {
  const v = list?.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

describe('tracing through the assembled sidecar', () => {
  it('joins the caller trace: the span parent is the caller span, the backend gets the sidecar span as parent', async () => {
    const s = await sidecar('1');
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const r = await fetch(`${s.url}/api/v1/agents`, { headers: { traceparent: `00-${callerTrace}-${callerSpan}-01`, 'x-api-key': demoCredentials.apiKeys.viewer } });
    expect(r.status).toBe(200);
    const sent = backendSaw.at(-1)!.traceparent as string;
    const [, traceId, spanId, flags] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(sent)!;
    expect(traceId).toBe(callerTrace);
    expect(flags).toBe('01');
    const span = await waitFor(() => spans.find((x) => x.spanId === spanId));
    expect(span.traceId).toBe(callerTrace);
    expect(span.parentSpanId).toBe(callerSpan);
    expect(span.kind).toBe(2); // SERVER
    expect(span.name).toBe('GET agents-list');
    const events = span.events!.map((e) => [e.name, attr(e.attributes, 'agentcore.decision')]);
    expect(events).toEqual([
      ['agentcore.stage.accept', 'continue'],
      ['agentcore.stage.route', 'continue'],
      ['agentcore.stage.cors', 'continue'],
      ['agentcore.stage.authenticate', 'continue'],
      ['agentcore.stage.authorize', 'continue'],
      ['agentcore.stage.rate-limit', 'continue'],
      ['agentcore.stage.events', 'continue'],
      ['agentcore.stage.validate', 'continue'],
      ['agentcore.stage.cache', 'continue'],
    ]);
    expect(attr(span.attributes, 'http.response.status_code')).toBe(200);
    expect(attr(span.attributes, 'agentcore.decision')).toBe('allow');
    // the collector headers are sent and never logged
    expect(otlpRequests.at(-1)!.authorization).toBe('Bearer collector-token');
    expect(s.logText()).not.toContain('collector-token');
  });

  it('records a denial as the deciding stage event and ends the span with its status (new trace without traceparent)', async () => {
    const s = sidecars[0]!;
    const before = backendSaw.length;
    const r = await fetch(`${s.url}/api/v1/agents`);
    expect(r.status).toBe(401);
    expect(backendSaw.length).toBe(before);
    const span = await waitFor(() => spans.find((x) => attr(x.attributes, 'http.response.status_code') === 401));
    expect(span.parentSpanId ?? '').toBe('');
    const last = span.events!.at(-1)!;
    expect(last.name).toBe('agentcore.stage.authenticate');
    expect(attr(last.attributes, 'agentcore.decision')).toBe('deny');
    expect(attr(last.attributes, 'agentcore.reason')).toBeTypeOf('string');
    // the request id the client got is the span's
    expect(attr(span.attributes, 'agentcore.request_id')).toBe(r.headers.get('x-request-id'));
  });

  it('at ratio 0 a new trace is not exported, yet the backend still gets a traceparent continuing the trace', async () => {
    const s = await sidecar('0');
    const count = spans.length;
    const r = await fetch(`${s.url}/healthz`);
    expect(r.status).toBe(200);
    const sent = backendSaw.at(-1)!.traceparent as string;
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    // a sampled caller is followed (parent-based)
    const r2 = await fetch(`${s.url}/healthz`, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(r2.status).toBe(200);
    await s.close(); // drain flushes what is queued
    expect(spans.slice(count).map((x) => x.traceId)).toEqual(['0af7651916cd43dd8448eb211c80319c']);
  });
});
