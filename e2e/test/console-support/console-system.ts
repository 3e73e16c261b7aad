/**
 * The whole system for the console's browser tests: the admin API on SQLite serving the built console,
 * the demo backend, the demo service seeded, a synced sidecar, and one admin account per admin role.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { startDemoBackend, type DemoBackend } from '../../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../../src/seed-demo.js';

/** Password of every admin account the tests create. */
export const PASSWORD = 'correct horse battery staple';
/** Admin usernames by admin role. */
export const USERS = { owner: 'admin', security: 'sec-admin', platform: 'plat-eng', auditor: 'auditor' } as const;

export interface ConsoleSystem {
  admin: AdminHandle;
  backend: DemoBackend;
  sidecar: ProxyHandle;
  seeded: SeedResult;
  /** the revision published by seeding (the whole demo policy) */
  seededRevision: number;
  /** owner's JSON client for setting up and checking state */
  call: ReturnType<typeof adminClient>;
  close(): Promise<void>;
}

const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const demo = JSON.parse(readFileSync(new URL('../../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];

/** Starts everything on free ports; `close()` stops it in reverse order. */
export async function startConsoleSystem(): Promise<ConsoleSystem> {
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-console-'));
  const backend = await startDemoBackend({ port: 0, quiet: true });
  const c = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad admin config');
  const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
  const token = await loginForToken(admin.url, USERS.owner, PASSWORD);
  const call = adminClient(admin.url, token);
  const seeded = await seedService(admin.url, token, demo);
  const seededRevision = (await call<{ items: { revision: number }[] }>('GET', '/api/v1/services/agents/revisions')).body.items[0]!.revision;
  await call('POST', '/api/v1/admin-users', { username: USERS.security, password: PASSWORD, role: 'security-admin' });
  await call('POST', '/api/v1/admin-users', { username: USERS.platform, password: PASSWORD, role: 'platform-engineer' });
  await call('POST', '/api/v1/admin-users', { username: USERS.auditor, password: PASSWORD, role: 'auditor' });
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
      '--status-interval-ms', '1000',
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
    seededRevision,
    call,
    close: async () => {
      await sidecar.close();
      await admin.close();
      await backend.close();
    },
  };
}

/** Polls `probe` until it returns `want`; resolves with the elapsed ms, throws after `ms`. */
export async function within<T>(ms: number, probe: () => Promise<T>, want: T): Promise<number> {
  const t0 = Date.now();
  let last: T | undefined;
  while (Date.now() - t0 < ms) {
    last = await probe();
    if (last === want) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`still ${String(last)} after ${ms} ms, wanted ${String(want)}`);
}

/** Status of `method path` through the sidecar with an API key. */
export async function sidecarStatus(sidecarUrl: string, key: string, path = '/api/v1/agents', method = 'GET'): Promise<number> {
  const r = await fetch(sidecarUrl + path, { method, headers: { 'x-api-key': key, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: '{"name":"e2e"}' } : {}) });
  await r.arrayBuffer();
  return r.status;
}
