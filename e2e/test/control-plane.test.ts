/**
 * The whole system: the admin API on SQLite, the demo backend, and a sidecar in synced mode pulling
 * signed bundles. Changes made through the API must be enforced by the running sidecar within 1 s,
 * and the sidecar must keep (and restart with) its last good policy when the control plane is down.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { startDemoBackend, type DemoBackend } from '../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../src/seed-demo.js';

const demo = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const dir = mkdtempSync(join(tmpdir(), 'agentcore-e2e-'));
const PASSWORD = 'correct horse battery staple';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

let admin: AdminHandle;
let backend: DemoBackend;
let token: string;
let seeded: SeedResult;
let call: ReturnType<typeof adminClient>;

async function startAdminOn(port: number): Promise<AdminHandle> {
  const c = loadAdminConfig(['--listen', `127.0.0.1:${port}`, '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad admin config');
  return startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
}

async function startSidecar(controlPlane: string, cacheDir: string): Promise<ProxyHandle> {
  const c = loadProxyConfig(
    [
      '--control-plane', controlPlane,
      '--service', 'agents',
      '--token', seeded.sidecarToken,
      '--trust-jwks-url', `${controlPlane}/api/v1/sidecar/jwks`,
      '--cache-dir', cacheDir,
      '--upstream', backend.url,
      '--listen', '127.0.0.1:0',
      '--admin-listen', '127.0.0.1:0',
      '--status-interval-ms', '1000',
    ],
    {},
  );
  if (!c.ok) throw new Error(c.help ? 'help' : c.errors.join('; '));
  return startProxy(c.config, { logDestination: quiet(), defaultMetrics: false });
}

/** Polls `probe` until it returns `want`; resolves with the elapsed ms (or throws after `ms`). */
async function within(ms: number, probe: () => Promise<number>, want: number): Promise<number> {
  const t0 = Date.now();
  let last = 0;
  while (Date.now() - t0 < ms) {
    last = await probe();
    if (last === want) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`still ${last} after ${ms} ms, wanted ${want}`);
}

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  admin = await startAdminOn(0);
  token = await loginForToken(admin.url, 'admin', PASSWORD);
  call = adminClient(admin.url, token);
  seeded = await seedService(admin.url, token, demo);
});
afterAll(async () => {
  await admin?.close();
  await backend?.close();
});

describe('control plane → sidecar', () => {
  let sidecar: ProxyHandle;
  const cacheDir = join(dir, 'cache');
  beforeAll(async () => {
    sidecar = await startSidecar(admin.url, cacheDir);
  });
  afterAll(async () => {
    await sidecar?.close();
  });

  const writeStatus = (key: string): Promise<number> =>
    fetch(`${sidecar.url}/api/v1/agents`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: '{"name":"e2e"}' }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });
  const readStatus = (key: string): Promise<number> =>
    fetch(`${sidecar.url}/api/v1/agents`, { headers: { 'x-api-key': key } }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  it('enforces the seeded policy', async () => {
    expect(await readStatus(seeded.apiKeys.viewer!.secret)).toBe(200);
    expect(await writeStatus(seeded.apiKeys.viewer!.secret)).toBe(403);
    expect(await writeStatus(seeded.apiKeys.operator!.secret)).toBe(201);
    expect((await fetch(`${sidecar.url}/healthz`)).status).toBe(200);
  });

  it('enforces a role change made through the API within 1 s', async () => {
    const role = await call<{ definition: { permissions: string[] }; version: number }>('GET', '/api/v1/services/agents/roles/viewer');
    expect(await readStatus(seeded.apiKeys.viewer!.secret)).toBe(200);
    const t0 = Date.now();
    await call('PUT', '/api/v1/services/agents/roles/viewer', { ...role.body.definition, permissions: ['workflows:read'] }, { 'if-match': role.headers.get('etag')! });
    const elapsed = await within(1000, () => readStatus(seeded.apiKeys.viewer!.secret), 403);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(elapsed).toBeLessThan(1000);
  });

  it('enforces an API key revocation within 1 s', async () => {
    const k = seeded.apiKeys.operator!;
    // The viewer role no longer grants agents:read (previous test); workflows:read is still inherited.
    const workflows = (): Promise<number> =>
      fetch(`${sidecar.url}/api/v1/workflows`, { headers: { 'x-api-key': k.secret } }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });
    expect(await workflows()).toBe(200);
    const t0 = Date.now();
    await call('POST', `/api/v1/services/agents/api-keys/${k.id}/revoke`, {});
    await within(1000, workflows, 401);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('reports to the fleet list, running the latest revision', async () => {
    const fleet = await within(
      5000,
      async () => {
        const r = await call<{ items: { upToDate: boolean }[] }>('GET', '/api/v1/sidecars?service=agents');
        return r.body.items.length === 1 && r.body.items[0]!.upToDate ? 1 : 0;
      },
      1,
    );
    expect(fleet).toBeLessThan(5000);
  });

  it('ships access decisions that auditors can search', async () => {
    await readStatus('agc_not_a_key');
    const found = await within(
      5000,
      async () => {
        const r = await call<{ items: { decision: string }[] }>('GET', '/api/v1/access-logs?service=agents&decision=deny&limit=100');
        return r.body.items.length > 0 ? 1 : 0;
      },
      1,
    );
    expect(found).toBeLessThan(5000);
  });

  it('keeps enforcing when the control plane goes down, and restarts from its cache', async () => {
    const port = Number(new URL(admin.url).port);
    await admin.close();
    // Running sidecar: still enforcing.
    expect(await readStatus(seeded.apiKeys.viewer!.secret)).toBe(403);
    expect(await writeStatus('agc_not_a_key')).toBe(401);
    // A new sidecar started while the control plane is down comes up from the cache.
    const second = await startSidecar(admin.url, cacheDir);
    try {
      const info = (await (await fetch(`${second.adminUrl}/bundle`)).json()) as { source: string; revision: number };
      expect(info.source).toMatch(/^cache:/);
      expect((await fetch(`${second.url}/api/v1/agents`, { headers: { 'x-api-key': seeded.apiKeys.viewer!.secret } })).status).toBe(403);
    } finally {
      await second.close();
    }
    admin = await startAdminOn(port);
  });
});
