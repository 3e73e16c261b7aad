/**
 * The access-log line is built by hand from fixed fields (issue #16); auditors' pipelines parse it, so it must stay
 * byte for byte what `JSON.stringify` of the same object gives. This test keeps the object form as the oracle and
 * compares both on random contexts: strings with quotes, backslashes, controls, non-ASCII and lone surrogates,
 * absent and present optional fields, every log level.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../pipeline/request-context.js';
import { logAccess, redactQuery, redactedHeaders } from './access-log.js';

const ms = (x: number): number => Math.round(x * 100) / 100;

/** The line as an object, in the documented field order, as the access log wrote it before issue #16. */
function oracle(ctx: RequestContext, status: number, end: number, time: string): Record<string, unknown> | undefined {
  const policy = ctx.policy;
  const level = policy.logLevel;
  if (level === 'none') return undefined;
  const line: Record<string, unknown> = {
    level: 30,
    time,
    svc: 'agentcore-proxy',
    msg: 'access',
    request_id: ctx.requestId,
    method: ctx.method,
    path: ctx.path,
    route: ctx.route?.id ?? null,
    status,
    latency_ms: ms(end - ctx.startedAt),
    decision: ctx.decision,
    reason: ctx.reason,
    client: ctx.clientAddress,
  };
  if (level !== 'minimal') {
    line.trace_id = ctx.traceId;
    if (ctx.query !== '') line.query = redactQuery(ctx.query, policy.redactQueryParams);
    line.upstream_ms = ctx.upstreamStart === 0 ? null : ms((ctx.upstreamEnd || end) - ctx.upstreamStart);
    line.principal = ctx.principal?.id ?? null;
    line.auth_method = ctx.principal?.method ?? null;
    line.credential = ctx.principal?.credentialId ?? null;
    line.bytes_in = ctx.bytesIn;
    line.bytes_out = ctx.bytesOut;
    if (ctx.authFailure) line.auth_failure = ctx.authFailure;
    if (ctx.upstreamError) line.upstream_error = ctx.upstreamError;
    const ua = ctx.req.headers['user-agent'];
    if (ua) line.user_agent = ua;
  }
  if (level === 'full') line.request_headers = redactedHeaders(ctx.req.rawHeaders, policy.redactHeaders);
  return line;
}

/** Any string, including the ones JSON must escape and lone surrogates. */
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u0000\u001f', '\ud800', 'a\udc00b', 'é€😀', '</script>'));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

const context = fc.record({
  level: fc.constantFrom('minimal', 'standard', 'full'),
  requestId: anyText,
  method: fc.constantFrom('GET', 'POST', 'DELETE', 'PATCH'),
  path: anyText,
  routeId: maybe(anyText),
  status: fc.integer({ min: 100, max: 599 }),
  startedAt: fc.double({ min: 0, max: 1e9, noNaN: true }),
  elapsed: fc.oneof(fc.double({ min: 0, max: 1e5, noNaN: true }), fc.constantFrom(0, 0.004, 0.005, 0.015, 1.005, 0.1, 0.07, 0.7, 12.3, 99.99, 99.995, 1e6 + 0.5)),
  decision: fc.constantFrom('allow', 'deny', 'error'),
  reason: anyText,
  client: anyText,
  traceId: anyText,
  query: fc.oneof(fc.constant(''), anyText, fc.constant('a=1&token=x')),
  upstream: fc.option(fc.tuple(fc.double({ min: 1, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }))),
  principal: maybe(fc.record({ id: anyText, method: fc.constantFrom('api-key', 'jwt'), credentialId: maybe(anyText) })),
  bytesIn: fc.nat(),
  bytesOut: fc.nat(),
  authFailure: maybe(anyText),
  upstreamError: maybe(anyText),
  userAgent: maybe(anyText),
  headers: fc.array(fc.tuple(fc.constantFrom('Authorization', 'X-A', 'x-a', 'Cookie', 'Accept'), anyText), { maxLength: 4 }),
});

type Generated = typeof context extends fc.Arbitrary<infer T> ? T : never;

function contextFrom(c: Generated): RequestContext {
  return {
    policy: { logLevel: c.level, redactQueryParams: new Set(['token']), redactHeaders: new Set(['authorization', 'cookie']) },
    requestId: c.requestId,
    method: c.method,
    path: c.path,
    route: c.routeId === undefined ? undefined : { id: c.routeId },
    startedAt: c.startedAt,
    decision: c.decision,
    reason: c.reason,
    clientAddress: c.client,
    traceId: c.traceId,
    query: c.query,
    upstreamStart: c.upstream ? c.upstream[0] : 0,
    upstreamEnd: c.upstream ? c.upstream[1] : 0,
    principal: c.principal,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    authFailure: c.authFailure,
    upstreamError: c.upstreamError,
    req: { headers: c.userAgent === undefined ? {} : { 'user-agent': c.userAgent }, rawHeaders: c.headers.flat() },
  } as unknown as RequestContext;
}

describe('access-log line', () => {
  it('is byte for byte JSON.stringify of the documented object, on any request', () => {
    fc.assert(
      fc.property(context, (c) => {
        const ctx = contextFrom(c);
        const end = c.startedAt + c.elapsed;
        const lines: string[] = [];
        logAccess({ write: (l: string) => lines.push(l) }, ctx, c.status, end);
        expect(lines).toHaveLength(1);
        const line = lines[0]!;
        expect(line.endsWith('}\n')).toBe(true);
        const time = (JSON.parse(line) as { time: string }).time;
        expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(line).toBe(JSON.stringify(oracle(ctx, c.status, end, time)) + '\n');
      }),
      { numRuns: 2000 },
    );
  });

  it('writes nothing at level none', () => {
    const lines: string[] = [];
    const ctx = { policy: { logLevel: 'none' } } as unknown as RequestContext;
    logAccess({ write: (l: string) => lines.push(l) }, ctx, 200, 1);
    expect(lines).toEqual([]);
  });

  it('stamps the time the line is written', () => {
    const lines: string[] = [];
    const ctx = contextFrom(fc.sample(context, { numRuns: 1, seed: 1 })[0]!);
    const before = Date.now();
    logAccess({ write: (l: string) => lines.push(l) }, ctx, 200, ctx.startedAt);
    const t = Date.parse((JSON.parse(lines[0]!) as { time: string }).time);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
  });
});
