import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK, SignJWT } from 'jose';
import { demoCredentials, demoPrivateJwk } from '../../test/helpers.js';
import { contextOf, runtimeOf, runUpTo } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import { authenticateStage } from '../authenticate/authenticate-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { MemoryRateLimitStore } from './rate-limiter.js';
import { rateLimitStage } from './rate-limit-stage.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stagesOver = (store: MemoryRateLimitStore) => [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), authenticateStage(), rateLimitStage(store)];
const operator = { 'x-api-key': demoCredentials.apiKeys.operator };

describe('rate-limit stage (demo bundle: demo-writes = 5 per 10 s per client)', () => {
  it('lets five writes through with RateLimit headers, then answers 429 RATE_LIMITED with Retry-After', async () => {
    const stages = stagesOver(new MemoryRateLimitStore(1000));
    const results: (number | undefined)[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      const ctx = contextOf(rt.runtime, { method: 'DELETE', url: '/api/v1/agents/a1', headers: operator });
      last = await runUpTo(stages, ctx);
      results.push(last?.status);
      expect(ctx.responseHeaders).toContain('ratelimit-policy');
      expect(ctx.rateLimitResult).toBe(i < 5 ? 'allowed' : 'limited');
    }
    expect(results).toEqual([undefined, undefined, undefined, undefined, undefined, 429]);
    expect(last).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED', decision: 'deny', details: { limit: 'demo-writes' } });
    expect(last?.headers?.[0]).toBe('retry-after');
    expect(Number(last?.headers?.[1])).toBeGreaterThan(0);
  });

  it('counts per client (the authenticated principal): another principal still passes', async () => {
    const stages = stagesOver(new MemoryRateLimitStore(1000));
    const write = (headers: Record<string, string>) => runUpTo(stages, contextOf(rt.runtime, { method: 'DELETE', url: '/api/v1/agents/a1', headers }));
    for (let i = 0; i < 5; i++) await write(operator);
    expect(await write(operator)).toMatchObject({ status: 429 });
    expect(await write({ 'x-api-key': demoCredentials.apiKeys.viewer })).toBeUndefined();
  });

  it('keeps credential types apart: a JWT whose sub equals an API key\'s principal has its own bucket (issue #9)', async () => {
    const stages = stagesOver(new MemoryRateLimitStore(1000));
    const write = (headers: Record<string, string>) => runUpTo(stages, contextOf(rt.runtime, { method: 'DELETE', url: '/api/v1/agents/a1', headers }));
    for (let i = 0; i < 5; i++) await write(operator);
    expect(await write(operator)).toMatchObject({ status: 429 });
    const { issuer, audience, kid } = demoCredentials.jwt;
    const jwt = await new SignJWT({ sub: 'svc-ci', roles: ['operator'] })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(await importJWK(demoPrivateJwk, 'ES256'));
    const ctx = contextOf(rt.runtime, { method: 'DELETE', url: '/api/v1/agents/a1', headers: { authorization: `Bearer ${jwt}` } });
    expect(await runUpTo(stages, ctx)).toBeUndefined();
    expect(ctx.principal).toMatchObject({ id: 'svc-ci', method: 'jwt' });
  });

  it('leaves routes without limits alone (no headers)', async () => {
    const ctx = contextOf(rt.runtime, { url: '/healthz' });
    expect(await runUpTo(stagesOver(new MemoryRateLimitStore(1000)), ctx)).toBeUndefined();
    expect(ctx.responseHeaders).toEqual([]);
  });
});
