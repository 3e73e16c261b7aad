import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, runtimeOf, runUpTo } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { validateStage } from './validate-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stages = [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), validateStage()];

describe('validate stage (POST /api/v1/agents: JSON only, 1 MiB; debug echo: 64 KiB)', () => {
  const cases: [string, string, Record<string, string>, number | undefined, string | undefined][] = [
    ['JSON of 10 bytes', '/api/v1/agents', { 'content-type': 'application/json; charset=utf-8', 'content-length': '10' }, undefined, undefined],
    ['JSON over 1 MiB', '/api/v1/agents', { 'content-type': 'application/json', 'content-length': String(1048577) }, 413, 'BODY_TOO_LARGE'],
    ['text/plain', '/api/v1/agents', { 'content-type': 'text/plain', 'content-length': '10' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a chunked body without Content-Type', '/api/v1/agents', { 'transfer-encoding': 'chunked' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['no body and no Content-Type', '/api/v1/agents', { 'content-length': '0' }, undefined, undefined],
    ['65 KiB to the debug echo (route limit 64 KiB)', '/api/v1/debug/echo', { 'content-length': String(65 * 1024) }, 413, 'BODY_TOO_LARGE'],
  ];
  it.each(cases)('%s → %s', async (_name, url, headers, status, reason) => {
    const r = await runUpTo(stages, contextOf(rt.runtime, { method: 'POST', url, headers }));
    if (status === undefined) expect(r).toBeUndefined();
    else expect(r).toMatchObject({ status, reason, decision: 'deny' });
  });
});
