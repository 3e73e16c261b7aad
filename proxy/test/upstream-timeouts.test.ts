/**
 * Upstream timeouts fire on time (issue #9, item 9): a backend that never answers, and the 504 measured against
 * `perTryMs`, `totalMs`, and a retry bounded by the total. Margins are generous for a loaded machine, but far
 * below the ~500 ms steps of undici's coarse timers that these timeouts used to follow.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from './helpers.js';

const MARGIN_MS = 100;
let hits = 0;
let backend: Server;
let url = '';
const sidecars: TestSidecar[] = [];

beforeAll(async () => {
  backend = createServer(() => {
    hits++; // never answers
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sidecars.splice(0)) await s.close();
  backend.closeAllConnections();
  await new Promise<void>((r) => backend.close(() => r()));
});

async function sidecarWith(upstream: Record<string, unknown>): Promise<TestSidecar> {
  const bundle = {
    version: 1,
    service: 'timeouts',
    revision: 1,
    routes: [{ id: 'api', match: { path: '/', kind: 'prefix' }, auth: { required: false }, upstream: 'slow' }],
    upstreams: { slow: { targets: [{ name: 'a', url }], ...upstream } },
  } as PolicyBundleInput;
  const s = await startTestSidecar('http://127.0.0.1:9', bundle);
  sidecars.push(s);
  return s;
}

async function timed504(s: TestSidecar): Promise<number> {
  // A first request opens the connection, so the measured ones do not include connecting.
  const t0 = performance.now();
  const r = await fetch(`${s.url}/x`);
  await r.arrayBuffer();
  expect(r.status).toBe(504);
  return performance.now() - t0;
}

describe('upstream timeouts against a backend that never answers', () => {
  it.each([
    ['perTryMs 300', { timeouts: { perTryMs: 300 } }, 300, 1],
    ['perTryMs 450', { timeouts: { perTryMs: 450 } }, 450, 1],
    ['totalMs 700 under perTryMs 5000', { timeouts: { perTryMs: 5000, totalMs: 700 } }, 700, 1],
    [
      'perTryMs 600, totalMs 1000, one retry on 504',
      { timeouts: { perTryMs: 600, totalMs: 1000 }, retries: { attempts: 1, on: ['504'], backoffBaseMs: 1, backoffMaxMs: 1, budgetPercent: 100 } },
      1000,
      2,
    ],
  ])('%s → 504 within [value, value + 100 ms]', async (_name, upstream, expected, tries) => {
    const s = await sidecarWith(upstream);
    await timed504(s); // warm: connection pool, JIT
    const before = hits;
    const elapsed: number[] = [];
    for (let i = 0; i < 3; i++) elapsed.push(await timed504(s));
    expect(hits - before).toBe(3 * tries);
    for (const ms of elapsed) {
      expect(ms).toBeGreaterThanOrEqual(expected - 5);
      expect(ms).toBeLessThanOrEqual(expected + MARGIN_MS);
    }
  });
});
