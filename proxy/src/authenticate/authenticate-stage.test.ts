import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials } from '../../test/helpers.js';
import { contextOf, runtimeOf, runUpTo } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { authenticateStage } from './authenticate-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stages = [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), authenticateStage()];

describe('authenticate stage (demo bundle: JWT + API keys)', () => {
  const denials: [string, Record<string, string>, string][] = [
    ['no credentials', {}, 'NO_CREDENTIALS'],
    ['an unknown API key', { 'x-api-key': 'agc_not_a_key' }, 'UNKNOWN_API_KEY'],
    ['a bearer token that is not a JWT', { authorization: 'Bearer opaque-token' }, 'INVALID_TOKEN'],
    ['an unknown scheme', { authorization: 'Basic dTpw' }, 'MALFORMED_CREDENTIALS'],
  ];
  it.each(denials)('%s → 401 %s with a challenge', async (_name, headers, reason) => {
    const ctx = contextOf(rt.runtime, { url: '/api/v1/agents', headers });
    const r = await runUpTo(stages, ctx);
    expect(r).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', reason, decision: 'deny', details: { reason } });
    expect(r?.headers?.[0]).toBe('www-authenticate');
    expect(ctx.authFailure).toBe(reason);
  });

  const accepted: [string, Record<string, string>, string][] = [
    ['viewer key in X-API-Key', { 'x-api-key': demoCredentials.apiKeys.viewer }, 'svc-dashboard'],
    ['operator key as Authorization: ApiKey', { authorization: `ApiKey ${demoCredentials.apiKeys.operator}` }, 'svc-ci'],
  ];
  it.each(accepted)('%s → principal %s', async (_name, headers, id) => {
    const ctx = contextOf(rt.runtime, { url: '/api/v1/agents', headers });
    expect(await runUpTo(stages, ctx)).toBeUndefined();
    expect(ctx.principal?.id).toBe(id);
  });

  it('skips public routes, even with a wrong key', async () => {
    const ctx = contextOf(rt.runtime, { url: '/healthz', headers: { 'x-api-key': 'agc_not_a_key' } });
    expect(await runUpTo(stages, ctx)).toBeUndefined();
    expect(ctx.principal).toBeUndefined();
  });
});
