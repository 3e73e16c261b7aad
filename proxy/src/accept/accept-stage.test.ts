import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, runtimeOf, type StageRequest } from '../../test/stage-context.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { acceptStage } from './accept-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stage = acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 64 });

describe('accept stage', () => {
  const refusals: [string, StageRequest, string][] = [
    ['both framings', { method: 'POST', url: '/a', headers: { 'transfer-encoding': 'chunked', 'content-length': '3' } }, 'AMBIGUOUS_LENGTH'],
    ['raw non-ASCII byte', { url: '/caf\u00e9' }, 'PATH_NON_ASCII'],
    ['encoded slash', { url: '/a%2fb' }, 'PATH_ENCODED_SLASH'],
    ['fragment', { url: '/a#b' }, 'PATH_FRAGMENT'],
    ['longer than maxUrlLength', { url: '/' + 'a'.repeat(80) }, 'PATH_TOO_LONG'],
    ['absolute-form target', { url: 'http://example.com/' }, 'PATH_NOT_ORIGIN_FORM'],
  ];
  it.each(refusals)('refuses %s with 400 %s', (_name, req, reason) => {
    const r = stage.run(contextOf(rt.runtime, req));
    expect(r).toMatchObject({ status: 400, code: 'INVALID_REQUEST', reason, decision: 'deny' });
  });

  it('refuses a repeated Authorization header (Node keeps only the first; we forward raw headers)', () => {
    const ctx = contextOf(rt.runtime, { headers: { authorization: 'Bearer a' } });
    (ctx.req as IncomingMessage).rawHeaders.push('Authorization', 'Bearer b');
    expect(stage.run(ctx)).toMatchObject({ status: 400, reason: 'REPEATED_CREDENTIALS' });
  });

  it('normalises the path, keeps the query, and takes request id and trace from the request', () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const ctx = contextOf(rt.runtime, { url: '/api/./v1//agents/../agents?limit=5', headers: { 'x-request-id': 'req-00042', traceparent, host: 'API.Example' } });
    expect(stage.run(ctx)).toBeUndefined();
    expect(ctx).toMatchObject({ path: '/api/v1/agents', query: 'limit=5', requestId: 'req-00042', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', host: 'api.example' });
  });

  const forwarded: [number, string, string, string][] = [
    [0, '203.0.113.9', '127.0.0.1', 'http'],
    [1, '203.0.113.9', '203.0.113.9', 'https'],
  ];
  it.each(forwarded)('with %i trusted hop(s), X-Forwarded-For %s gives client %s and proto %s', (hops, xff, client, proto) => {
    const ctx = contextOf(rt.runtime, { headers: { 'x-forwarded-for': xff, 'x-forwarded-proto': 'https' } });
    expect(acceptStage({ trustedHops: hops, tls: false, maxUrlLength: 64 }).run(ctx)).toBeUndefined();
    expect([ctx.clientAddress, ctx.forwardedProto]).toEqual([client, proto]);
  });

  // issue #9, finding 8 and the "decide" list
  const framing: [string, StageRequest, number, string, string][] = [
    ['Transfer-Encoding: identity, chunked', { method: 'POST', headers: { 'transfer-encoding': 'identity, chunked' } }, 501, 'NOT_IMPLEMENTED', 'TRANSFER_CODING_NOT_IMPLEMENTED'],
    ['Transfer-Encoding: gzip, chunked', { method: 'POST', headers: { 'transfer-encoding': 'gzip, chunked' } }, 501, 'NOT_IMPLEMENTED', 'TRANSFER_CODING_NOT_IMPLEMENTED'],
    ['Transfer-Encoding: chunked, chunked', { method: 'POST', headers: { 'transfer-encoding': 'chunked, chunked' } }, 501, 'NOT_IMPLEMENTED', 'TRANSFER_CODING_NOT_IMPLEMENTED'],
    ['HTTP/1.1 without Host', { httpVersion: '1.1' }, 400, 'INVALID_REQUEST', 'HOST_MISSING'],
    ['Expect other than 100-continue', { headers: { expect: 'something-else' } }, 417, 'EXPECTATION_FAILED', 'EXPECTATION_FAILED'],
  ];
  it.each(framing)('refuses %s', (_name, req, status, code, reason) => {
    expect(stage.run(contextOf(rt.runtime, req))).toMatchObject({ status, code, reason, decision: 'deny' });
  });

  const passes: [string, StageRequest][] = [
    ['Transfer-Encoding: chunked', { method: 'POST', headers: { 'transfer-encoding': 'Chunked' } }],
    ['HTTP/1.0 without Host', { httpVersion: '1.0' }],
    ['HTTP/1.1 with Host', { httpVersion: '1.1', headers: { host: 'a.example' } }],
    ['Expect: 100-continue', { method: 'POST', headers: { expect: '100-Continue', 'content-length': '2' } }],
  ];
  it.each(passes)('lets %s through', (_name, req) => {
    expect(stage.run(contextOf(rt.runtime, req))).toBeUndefined();
  });
});
