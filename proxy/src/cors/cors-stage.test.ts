import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, runtimeOf, runUpTo } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { corsStage } from './cors-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stages = [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), corsStage()];
const ALLOWED = 'http://localhost:5173';

describe('cors stage (demo bundle: one allowed origin)', () => {
  const preflights: [string, string, string | undefined, number, string][] = [
    ['allowed origin and method', ALLOWED, 'content-type', 204, 'CORS_PREFLIGHT'],
    ['foreign origin', 'https://evil.example', undefined, 403, 'CORS_REJECTED'],
    ['a header not allowed', ALLOWED, 'x-secret', 403, 'CORS_REJECTED'],
  ];
  it.each(preflights)('preflight with %s → %i %s', async (_name, origin, headers, status, reason) => {
    const h: Record<string, string> = { origin, 'access-control-request-method': 'POST' };
    if (headers) h['access-control-request-headers'] = headers;
    const r = await runUpTo(stages, contextOf(rt.runtime, { method: 'OPTIONS', url: '/api/v1/agents', headers: h }));
    expect(r).toMatchObject({ status, reason });
  });

  it('adds the CORS response headers to an actual request from an allowed origin, none for a foreign one', async () => {
    const ok = contextOf(rt.runtime, { url: '/api/v1/agents', headers: { origin: ALLOWED } });
    expect(await runUpTo(stages, ok)).toBeUndefined();
    expect(ok.responseHeaders).toContain('access-control-allow-origin');
    const foreign = contextOf(rt.runtime, { url: '/api/v1/agents', headers: { origin: 'https://evil.example' } });
    expect(await runUpTo(stages, foreign)).toBeUndefined();
    expect(foreign.responseHeaders).not.toContain('access-control-allow-origin');
  });
});
