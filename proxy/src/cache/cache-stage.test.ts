import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, runtimeOf, runUpTo } from '../../test/stage-context.js';
import { acceptStage } from '../accept/accept-stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { routeStage } from '../route/route-stage.js';
import { cacheStage } from './cache-stage.js';
import { ResponseCache } from './response-cache.js';

let rt: { runtime: PolicyRuntime; close(): Promise<void> };
beforeAll(async () => (rt = await runtimeOf()));
afterAll(() => rt.close());

const stagesOver = (cache: ResponseCache) => [acceptStage({ trustedHops: 0, tls: false, maxUrlLength: 8192 }), routeStage(), cacheStage(cache)];

describe('cache stage (demo bundle: GET /api/v1/status cached 5 s)', () => {
  it('marks a miss for capture, then answers the same request from the cache (200, then 304 on its ETag)', async () => {
    const cache = new ResponseCache({ maxBytes: 1 << 20 });
    const stages = stagesOver(cache);
    const miss = contextOf(rt.runtime, { url: '/api/v1/status' });
    expect(await runUpTo(stages, miss)).toBeUndefined();
    const store = miss.cacheStore!;
    expect(store).toBeDefined();
    const capture = cache.beginCapture(store.req, store.rule, 200, { 'content-type': 'application/json' })!;
    capture.push(Buffer.from('{"ok":true}'));
    capture.finish();

    const hit = await runUpTo(stages, contextOf(rt.runtime, { url: '/api/v1/status' }));
    expect(hit).toMatchObject({ status: 200, reason: 'CACHE_HIT', decision: 'allow' });
    expect(hit?.upstreamLike?.body?.toString()).toBe('{"ok":true}');
    const headers = hit!.upstreamLike!.headers;
    const etag = headers[headers.indexOf('etag') + 1]!;
    const revalidated = await runUpTo(stages, contextOf(rt.runtime, { url: '/api/v1/status', headers: { 'if-none-match': etag } }));
    expect(revalidated).toMatchObject({ status: 304, reason: 'CACHE_HIT' });
    expect(revalidated?.upstreamLike?.body).toBeUndefined();
  });

  const bypass: [string, string, string][] = [
    ['a route without a cache rule', 'GET', '/healthz'],
    ['a write', 'POST', '/api/v1/agents'],
  ];
  it.each(bypass)('leaves %s alone (%s %s)', async (_name, method, url) => {
    const ctx = contextOf(rt.runtime, { method, url });
    expect(await runUpTo(stagesOver(new ResponseCache({ maxBytes: 1 << 20 })), ctx)).toBeUndefined();
    expect(ctx.cacheStore).toBeUndefined();
  });
});
