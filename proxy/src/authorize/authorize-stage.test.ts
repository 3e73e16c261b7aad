import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials } from '../../test/helpers.js';
import { contextOf, runtimeOf, runUpTo, type StageRequest } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import { authenticateStage } from '../authenticate/authenticate-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { authorizeStage } from './authorize-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stages = [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), authenticateStage(), authorizeStage()];
const viewer = { 'x-api-key': demoCredentials.apiKeys.viewer };
const operator = { 'x-api-key': demoCredentials.apiKeys.operator };

describe('authorize stage (demo bundle roles)', () => {
  const allowed: [string, StageRequest, string][] = [
    ['a viewer reads agents', { url: '/api/v1/agents', headers: viewer }, 'GRANTED'],
    ['an operator deletes an agent (inherits viewer too)', { method: 'DELETE', url: '/api/v1/agents/a1', headers: operator }, 'GRANTED'],
    ['anyone reads a public route', { url: '/healthz' }, 'PUBLIC_ROUTE'],
  ];
  it.each(allowed)('%s → %s', async (_name, req, reason) => {
    const ctx = contextOf(rt.runtime, req);
    expect(await runUpTo(stages, ctx)).toBeUndefined();
    expect(ctx.reason).toBe(reason);
  });

  const denied: [string, StageRequest, string[]][] = [
    ['a viewer deletes an agent', { method: 'DELETE', url: '/api/v1/agents/a1', headers: viewer }, ['agents:write']],
    ['an operator calls the admin API (no role holds admin:manage)', { url: '/api/v1/admin/x', headers: operator }, ['admin:manage']],
  ];
  it.each(denied)('%s → 403 MISSING_PERMISSION naming %j', async (_name, req, missing) => {
    const r = await runUpTo(stages, contextOf(rt.runtime, req));
    expect(r).toMatchObject({ status: 403, code: 'FORBIDDEN', reason: 'MISSING_PERMISSION', details: { reason: 'MISSING_PERMISSION', missing } });
  });
});
