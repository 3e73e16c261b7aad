// The real sidecar's bundle sync (long-poll, verify, apply) against a real control plane, through the packages'
// built dist only: a change published through the admin API is applied by the running sidecar within 1 s.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend, type DemoBackend } from '../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../src/seed-demo.js';

const demo = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const dir = mkdtempSync(join(tmpdir(), 'agentcore-sync-'));
const PASSWORD = 'correct horse battery staple';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

let admin: AdminHandle;
let backend: DemoBackend;
let sidecar: ProxyHandle;
let seeded: SeedResult;
let call: ReturnType<typeof adminClient>;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  const a = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!a.ok) throw new Error('bad admin config');
  admin = await startAdmin(a.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
  const token = await loginForToken(admin.url, 'admin', PASSWORD);
  call = adminClient(admin.url, token);
  seeded = await seedService(admin.url, token, demo);
  const p = loadProxyConfig(
    [
      '--control-plane', admin.url,
      '--service', 'agents',
      '--token', seeded.sidecarToken,
      '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`,
      '--cache-dir', join(dir, 'cache'),
      '--upstream', backend.url,
      '--listen', '127.0.0.1:0',
      '--admin-listen', '127.0.0.1:0',
    ],
    {},
  );
  if (!p.ok) throw new Error(p.help ? 'help' : p.errors.join('; '));
  sidecar = await startProxy(p.config, { logDestination: quiet(), defaultMetrics: false });
});
afterAll(async () => {
  await sidecar?.close();
  await admin?.close();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the real sidecar client', () => {
  it('starts from the control plane and applies a published change within 1 s', async () => {
    const first = sidecar.bundleInfo() as { revision: number; hash: string | null; mode: string; control_plane_connected: boolean | null };
    expect(first.mode).toBe('synced');
    expect(first.revision).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 100)); // the sidecar's long-poll is waiting now
    const t0 = Date.now();
    await call('POST', '/api/v1/services/agents/routes', { id: 'sync-probe', match: { methods: ['GET'], path: '/sync-probe', kind: 'exact' }, auth: { required: false } });
    const next = await call<{ revision: number; hash: string }>('POST', '/api/v1/services/agents/publish', {});
    expect(next.body.revision).toBeGreaterThan(first.revision);
    while ((sidecar.bundleInfo() as { hash: string | null }).hash !== next.body.hash && Date.now() - t0 < 1000) await new Promise((r) => setTimeout(r, 5));
    const applied = sidecar.bundleInfo() as { revision: number; hash: string | null; control_plane_connected: boolean | null };
    expect(applied.hash).toBe(next.body.hash);
    expect(applied.revision).toBe(next.body.revision);
    expect(applied.control_plane_connected).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('tells the holder of a revoked key that it was revoked; an unknown key stays "not known" (#10)', async () => {
    const key = Object.values(seeded.apiKeys)[0]!;
    const get = (k: string) => fetch(`${sidecar.url}/api/v1/agents`, { headers: { 'x-api-key': k } });
    const message = async (r: Response) => ((await r.json()) as { error: { message: string } }).error.message;
    const ok = await get(key.secret);
    await ok.arrayBuffer();
    expect(ok.status).toBe(200);
    const t0 = Date.now();
    expect((await call('POST', `/api/v1/services/agents/api-keys/${key.id}/revoke`, {})).status).toBe(200);
    let refused: Response | undefined;
    while (Date.now() - t0 < 3000) {
      const r = await get(key.secret);
      if (r.status === 401) {
        refused = r;
        break;
      }
      await r.arrayBuffer();
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(refused?.status).toBe(401);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(await message(refused!)).toMatch(/revoked/);
    const unknown = await get(`ak_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(await message(unknown)).toMatch(/not known/);
  });
});
