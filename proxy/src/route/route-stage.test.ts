import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, runtimeOf, runUpTo, type StageRequest } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from './route-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stages = [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage()];

describe('route stage (demo bundle)', () => {
  const found: [string, StageRequest, string][] = [
    ['exact', { url: '/api/v1/agents' }, 'agents-list'],
    ['template', { url: '/api/v1/agents/a-1' }, 'agents-get'],
    ['prefix', { method: 'POST', url: '/api/v1/admin/users' }, 'admin'],
    ['a preflight, as the request it announces', { method: 'OPTIONS', url: '/api/v1/agents', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } }, 'agents-create'],
  ];
  it.each(found)('matches %s → %s', async (_name, req, id) => {
    const ctx = contextOf(rt.runtime, req);
    expect(await runUpTo(stages, ctx)).toBeUndefined();
    expect(ctx.route?.id).toBe(id);
  });

  it('answers 404 NO_ROUTE for an unknown path', async () => {
    expect(await runUpTo(stages, contextOf(rt.runtime, { url: '/api/v2/agents' }))).toMatchObject({ status: 404, code: 'NOT_FOUND', reason: 'NO_ROUTE' });
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const r = await runUpTo(stages, contextOf(rt.runtime, { method: 'DELETE', url: '/healthz' }));
    expect(r).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED', reason: 'METHOD_NOT_ALLOWED', headers: ['allow', 'GET, HEAD'] });
  });
});
