/**
 * Issue #10, the integrity core through the packages: random sequences of admin-API writes against a real admin
 * API on SQLite; after each, either a clear 4xx in the spec's error format (the model predicts which), or a
 * published bundle holding exactly the keys the model allows. For a sample of runs a real synced sidecar must
 * accept the allowed keys and refuse every other key ever issued, within 1 s. Also: the demo seed creates the
 * principals its keys belong to (defect 6), and a revocation is enforced while the service does not compile.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { startDemoBackend, type DemoBackend } from '../src/demo-backend.js';
import { loginForToken, seedService } from '../src/seed-demo.js';
import { BASELINE, cmdArb, Model, requestOf, type Cmd } from './integrity-model.js';

const demo = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const dir = mkdtempSync(join(tmpdir(), 'agentcore-integrity-'));
const dbFile = join(dir, 'agentcore.db');
const PASSWORD = 'correct horse battery staple';
const RUNS = 50;
const MAX_STEPS = 15;
/** every SIDECAR_EVERY-th run is also checked against a real synced sidecar */
const SIDECAR_EVERY = 10;

let admin: AdminHandle;
let backend: DemoBackend;
let token: string;
/** per sidecar check: ms from the API's answer until the sidecar accepted/refused every key as the model says */
const sidecarLatencies: number[] = [];
const stats = { steps: 0, byStatus: {} as Record<number, number> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk arbitrary JSON
type Answer = { status: number; body: any };
async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const r = await fetch(admin.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function until<T>(ms: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The API keys of the latest published bundle of `s`: id → disabled. */
async function publishedKeys(s: string): Promise<Map<string, boolean>> {
  const list = await api('GET', `/api/v1/services/${s}/revisions?limit=1`);
  const latest = list.body.items[0];
  if (!latest) return new Map();
  const rev = await api('GET', `/api/v1/services/${s}/revisions/${latest.revision}`);
  return new Map((rev.body.content.authentication.apiKeys as { id: string; disabled: boolean }[]).map((k) => [k.id, k.disabled]));
}

/** Waits until `s` has a published revision (a sidecar starts from one). */
const published = (s: string) => until(3000, () => api('GET', `/api/v1/services/${s}/revisions?limit=1`), (r) => r.body.items.length > 0);

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

async function startSidecar(service: string, sidecarToken: string): Promise<ProxyHandle> {
  const c = loadProxyConfig(
    ['--control-plane', admin.url, '--service', service, '--token', sidecarToken, '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`,
      '--cache-dir', join(dir, `cache-${service}`), '--upstream', backend.url, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0'],
    {},
  );
  if (!c.ok) throw new Error(c.help ? 'help' : c.errors.join('; '));
  return startProxy(c.config, { logDestination: new Writable({ write: (_c, _e, cb) => cb() }), defaultMetrics: false });
}

const probe = (sidecar: ProxyHandle, key?: string): Promise<number> =>
  fetch(`${sidecar.url}/api/v1/agents`, { headers: key ? { 'x-api-key': key } : {} }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  const c = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${dbFile}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad admin config');
  admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  token = await loginForToken(admin.url, 'admin', PASSWORD);
});
afterAll(async () => {
  await admin?.close();
  await backend?.close();
});

describe('defect 6: the demo seed', () => {
  it('creates the principals its keys belong to before the keys', async () => {
    const seeded = await seedService(admin.url, token, demo);
    for (const p of ['svc-dashboard', 'svc-ci']) expect((await api('GET', `/api/v1/principals/${p}`)).status).toBe(200);
    expect(Object.values(seeded.apiKeys).map((k) => k.principal).sort()).toEqual(['svc-ci', 'svc-dashboard']);
  });
});

let runNo = 0;
/** One run: a fresh service and principal prefix, the commands in order, the model checked after each. */
async function run(cmds: Cmd[]): Promise<void> {
  const n = ++runNo;
  const s = `ip${n}`;
  const prefix = `ip${n}-`;
  const model = new Model();
  expect((await api('POST', '/api/v1/services', { name: s })).status).toBe(201);
  let sidecar: ProxyHandle | undefined;
  if (n % SIDECAR_EVERY === 1) {
    expect((await api('POST', `/api/v1/services/${s}/routes`, { id: 'probe', match: { path: '/api/v1/agents', methods: ['GET'] } })).status).toBe(201);
    const cred = await api('POST', `/api/v1/services/${s}/sidecar-credentials`, { name: 'prop' });
    await published(s);
    sidecar = await startSidecar(s, cred.body.token);
    expect(await until(5000, () => probe(sidecar!), (st) => st === 401)).toBe(401);
  }
  try {
    for (const c of [...BASELINE, ...cmds]) {
      const pickKey = (pick: number) => (model.keys.length ? model.keys[pick % model.keys.length] : undefined);
      const key = c.op === 'revokeKey' || c.op === 'deleteKey' ? pickKey(c.pick) : undefined;
      const want = model.expect(c, pickKey);
      const req = requestOf(c, s, prefix, key);
      const got = await api(req.method, req.path, req.body);
      const answeredAt = Date.now();
      stats.steps++;
      stats.byStatus[got.status] = (stats.byStatus[got.status] ?? 0) + 1;
      const where = `${JSON.stringify(c)} → ${got.status} ${JSON.stringify(got.body)}`;
      expect(got.status, where).toBe(want.status);
      if (got.status >= 400) {
        expect(Object.keys(got.body.error).sort(), where).toEqual(['code', 'details', 'message', 'request_id', 'timestamp']);
        expect(got.body.error.message.length, where).toBeGreaterThan(10);
        continue;
      }
      want.apply?.(got.body ?? {});
      const allowed = model.allowed();
      const present = model.present();
      const keys = await until(3000, () => publishedKeys(s), (m) => sameSet(new Set(m.keys()), present) && sameSet(new Set([...m].filter(([, d]) => !d).map(([id]) => id)), allowed));
      expect(new Set(keys.keys()), where).toEqual(present);
      expect(new Set([...keys].filter(([, d]) => !d).map(([id]) => id)), where).toEqual(allowed);
      if (sidecar) await checkSidecar(sidecar, model, where, answeredAt);
    }
  } finally {
    await sidecar?.close();
  }
}

/** Every key ever issued in the run: 200 when allowed, 401 otherwise, within 1 s of the API's answer. */
async function checkSidecar(sidecar: ProxyHandle, model: Model, where: string, t0: number): Promise<void> {
  const allowed = model.allowed();
  for (const k of model.everIssued) {
    const want = allowed.has(k.id) ? 200 : 401;
    expect(await until(1000, () => probe(sidecar, k.secret), (st) => st === want), `${where}: key ${k.id}`).toBe(want);
  }
  sidecarLatencies.push(Date.now() - t0);
  expect(Date.now() - t0, where).toBeLessThan(1000);
}

describe('integrity property', () => {
  it(`after each of ${BASELINE.length} baseline and 5-${MAX_STEPS} random writes (${RUNS} runs): a 4xx in the spec's format, or a bundle with exactly the allowed keys`, { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    await fc.assert(fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: MAX_STEPS }), run), { numRuns: RUNS, endOnFailure: true });
    const slowest = Math.max(0, ...sidecarLatencies);
    console.log(`integrity property: ${runNo} runs, ${stats.steps} writes ${JSON.stringify(stats.byStatus)} in ${Date.now() - t0} ms; ${sidecarLatencies.length} sidecar checks, slowest ${slowest} ms`);
    expect(sidecarLatencies.length).toBeGreaterThan(0);
  });
});

describe('revocation wins', () => {
  it('a key revoked while the service does not compile is refused by the sidecar within 1 s', { timeout: 30_000 }, async () => {
    const s = 'rw';
    await api('POST', '/api/v1/services', { name: s });
    await api('POST', '/api/v1/principals', { id: 'rw-ci', kind: 'service-account', displayName: 'CI' });
    await api('POST', `/api/v1/services/${s}/roles`, { name: 'viewer', permissions: ['agents:read'] });
    await api('POST', `/api/v1/services/${s}/routes`, { id: 'probe', match: { path: '/api/v1/agents', methods: ['GET'] }, permissions: ['agents:read'] });
    const k1 = (await api('POST', `/api/v1/services/${s}/api-keys`, { principal: 'rw-ci', roles: ['viewer'] })).body;
    const k2 = (await api('POST', `/api/v1/services/${s}/api-keys`, { principal: 'rw-ci', roles: ['viewer'] })).body;
    const cred = await api('POST', `/api/v1/services/${s}/sidecar-credentials`, { name: 'rw' });
    await published(s);
    const sidecar = await startSidecar(s, cred.body.token);
    try {
      expect(await until(5000, () => probe(sidecar, k1.secret), (st) => st === 200)).toBe(200);
      // Corrupt a row outside the API: the service no longer compiles (and other writes are refused).
      const db = new Database(dbFile);
      db.prepare("UPDATE roles SET definition = '{\"name\":\"viewer\",\"inherits\":[\"ghost\"]}' WHERE service = ?").run(s);
      db.close();
      const refused = await api('POST', `/api/v1/services/${s}/rate-limits`, { id: 'l', rate: { requests: 1, periodSeconds: 1 } });
      expect(refused.status).toBe(422);
      const t0 = Date.now();
      expect((await api('POST', `/api/v1/services/${s}/api-keys/${k1.id}/revoke`)).status).toBe(200);
      expect(await until(1000, () => probe(sidecar, k1.secret), (st) => st === 401)).toBe(401);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(await probe(sidecar, k2.secret)).toBe(200);
    } finally {
      await sidecar.close();
    }
  });
});
