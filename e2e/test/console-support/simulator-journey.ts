/** Journey 5: the browser simulator's decision equals the live sidecar's for 200 random requests (methods, path tricks, credentials). */
import { request } from 'node:http';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { newContext, signIn } from './browser.js';
import { USERS, within, type ConsoleSystem } from './console-system.js';

const METHODS = ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const PATHS = ['/healthz', '/api/v1/status', '/api/v1/agents', '/api/v1/agents/42', '/api/v1/workflows', '/api/v1/workflows/7', '/api/v1/debug/echo', '/nope', '/api/v1'];
const TRICKS: ((p: string) => string)[] = [
  (p) => p,
  (p) => p.replace('/v1/', '//v1/'),
  (p) => p.replace('/v1/', '/v1/./'),
  (p) => p.replace('/v1/', '/v1/x/../'),
  (p) => p.replace('/v1/', '/v1/%2e%2e/v1/'),
  (p) => p.replace('/v1/', '/v1%2F'),
  (p) => p.replace('/api/', '/%61pi/'),
  (p) => `${p}/`,
  (p) => p.toUpperCase(),
  (p) => `${p};x=1`,
  (p) => `${p}?q=1&b=%2F`,
  (p) => p.replace('/v1/', '/v1/..;/'),
  (p) => p.replace('/v1/', '/v1/%5C'),
];

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sends a raw request target (no client-side URL normalisation); resolves with status and request id. */
function send(base: string, method: string, target: string, key: string | undefined): Promise<{ status: number; requestId: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const body = method === 'GET' || method === 'DELETE' ? undefined : '{}';
    const req = request({ host: u.hostname, port: u.port, method, path: target, headers: { ...(key ? { 'x-api-key': key } : {}), ...(body ? { 'content-type': 'application/json', 'content-length': '2' } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, requestId: String(res.headers['x-request-id']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the journey; returns how many requests got each simulated answer ('forward', '401', …). */
export async function simulatorJourney(sys: ConsoleSystem, browser: Browser, n = 200): Promise<Record<string, number>> {
  const latest = (await sys.call<{ items: { revision: number }[] }>('GET', '/api/v1/services/agents/revisions')).body.items[0]!.revision;
  await within(10_000, async () => (await sys.call<{ items: { appliedRevision: number }[] }>('GET', '/api/v1/sidecars?service=agents')).body.items[0]?.appliedRevision, latest);
  const keys = [undefined, sys.seeded.apiKeys.viewer!.secret, sys.seeded.apiKeys.operator!.secret, 'ak_unknown_key_0000'];
  const rnd = prng(11);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
  const reqs = Array.from({ length: n }, () => ({ method: pick(METHODS), target: pick(TRICKS)(pick(PATHS)), key: pick(keys) }));

  const from = new Date(Date.now() - 1000).toISOString();
  const sent: { status: number; requestId: string }[] = [];
  for (const r of reqs) sent.push(await send(sys.sidecar.url, r.method, r.target, r.key));
  type Log = { requestId: string; status: number; decision: string; reason: string | null };
  const logs = new Map<string, Log>();
  await within(10_000, async () => {
    const page = await sys.call<{ items: Log[] }>('GET', `/api/v1/access-logs?service=agents&from=${encodeURIComponent(from)}&limit=1000`);
    for (const l of page.body.items) logs.set(l.requestId, l);
    return sent.every((s) => logs.has(s.requestId));
  }, true);

  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    await signIn(page, USERS.owner, '/services/agents/simulator');
    await page.getByLabel('Requests, one per line: METHOD target [API key]').fill(reqs.map((r) => `${r.method} ${r.target}${r.key ? ` ${r.key}` : ''}`).join('\n'));
    await page.getByRole('button', { name: 'Simulate all' }).click();
    const rows = page.getByTestId('batch-results').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(n);
    const sim = await rows.evaluateAll((trs) => trs.map((tr) => ({ status: tr.getAttribute('data-status')!, reason: tr.getAttribute('data-reason')! })));
    const mismatches = reqs.flatMap((r, i) => {
      const live = logs.get(sent[i]!.requestId)!;
      const s = sim[i]!;
      const same = s.status === 'forward' ? live.decision === 'allow' || live.reason === 'RATE_LIMITED' : live.decision === 'deny' && String(live.status) === s.status && live.reason === s.reason;
      return same ? [] : [{ request: `${r.method} ${r.target} ${r.key ? 'key' : 'no key'}`, simulated: s, live: { status: live.status, decision: live.decision, reason: live.reason } }];
    });
    expect(mismatches).toEqual([]);
    const outcomes: Record<string, number> = {};
    for (const s of sim) outcomes[s.status] = (outcomes[s.status] ?? 0) + 1;
    return outcomes;
  } finally {
    await ctx.close();
  }
}
