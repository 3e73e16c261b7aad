/**
 * The whole system in one process for e2e tests, through the packages' built dist only: the admin API on a
 * throwaway SQLite file, the demo backend, the demo service seeded through the API, and one synced sidecar.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { startDemoBackend, type DemoBackend } from '../../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../../src/seed-demo.js';

const demo = JSON.parse(readFileSync(new URL('../../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const PASSWORD = 'correct horse battery staple';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

/** A started system; `close()` stops the sidecar, the admin API and the backend and removes the files. */
export interface SyncedSystem {
  admin: AdminHandle;
  backend: DemoBackend;
  sidecar: ProxyHandle;
  seeded: SeedResult;
  call: ReturnType<typeof adminClient>;
  close(): Promise<void>;
}

/** Options of `startSyncedSystem`: `adminEnv` is added to the admin API's environment (e.g. `AGENTCORE_SECRET_KEY`). */
export interface SyncedSystemOptions {
  adminEnv?: Record<string, string>;
}

/** Starts the admin API, the demo backend (seeded as service `agents`) and a synced sidecar in front of it. */
export async function startSyncedSystem(prefix: string, options: SyncedSystemOptions = {}): Promise<SyncedSystem> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const backend = await startDemoBackend({ port: 0, quiet: true });
  const a = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!a.ok) throw new Error('bad admin config');
  const admin = await startAdmin(a.config, { env: { ...options.adminEnv, AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
  const token = await loginForToken(admin.url, 'admin', PASSWORD);
  const seeded = await seedService(admin.url, token, demo);
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
  const sidecar = await startProxy(p.config, { logDestination: quiet(), defaultMetrics: false });
  return {
    admin,
    backend,
    sidecar,
    seeded,
    call: adminClient(admin.url, token),
    async close() {
      await sidecar.close();
      await admin.close();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
