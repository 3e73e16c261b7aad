// The compose helper scripts, run for real without Docker: the seed job against a started admin API
// (first run and re-run), then the token-file launcher starting the built sidecar in synced mode in
// front of the demo backend, enforcing the seeded policy, and draining on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'agentcore-compose-'));
const PASSWORD = 'compose scripts test password';
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  const c = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  c.stdout!.resume();
  c.stderr!.resume();
  children.push(c);
  return c;
}
async function ready(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before ${url} answered`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${ms} ms`);
}
/** Runs a script to its end; resolves with its exit code and output. */
function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env } });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code) => resolve({ code, out }));
  });
}

let adminUrl: string;
const seedEnv = () => ({ AGENTCORE_ADMIN_PASSWORD: PASSWORD, AGENTCORE_SEED_ADMIN_URL: adminUrl, AGENTCORE_SEED_DIR: dir });

beforeAll(async () => {
  const port = await freePort();
  adminUrl = `http://127.0.0.1:${port}`;
  const admin = start(['admin-api/dist/cli.js', '--listen', `127.0.0.1:${port}`, '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], { AGENTCORE_ADMIN_PASSWORD: PASSWORD });
  await ready(`${adminUrl}/api/v1/sidecar/jwks`, admin);
}, 60_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
});

describe('deploy/compose scripts', () => {
  it('seed-demo.mjs refuses to run without the owner password', async () => {
    const r = await run(['deploy/compose/seed-demo.mjs'], { ...seedEnv(), AGENTCORE_ADMIN_PASSWORD: '' });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/set AGENTCORE_ADMIN_PASSWORD/);
  });

  it('seed-demo.mjs seeds once, then issues a fresh credential on every run; files are 0600', async () => {
    const first = await run(['deploy/compose/seed-demo.mjs'], seedEnv());
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/seeded service "agents"/);
    const token1 = readFileSync(join(dir, 'sidecar-token'), 'utf8');
    expect(token1.length).toBeGreaterThan(16);
    expect(statSync(join(dir, 'sidecar-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'demo-seed.json')).mode & 0o777).toBe(0o600);
    const second = await run(['deploy/compose/seed-demo.mjs'], seedEnv());
    expect(second.code, second.out).toBe(0);
    expect(second.out).toMatch(/exists; issued a fresh sidecar credential/);
    expect(readFileSync(join(dir, 'sidecar-token'), 'utf8')).not.toBe(token1);
  }, 60_000);

  it('sidecar-with-token-file.mjs runs the synced sidecar with the file credential; SIGTERM drains and exits 0', async () => {
    const [backendPort, listen, adminListen] = await Promise.all([freePort(), freePort(), freePort()]);
    const backend = start(['e2e/dist/demo-backend-cli.js', '--port', String(backendPort), '--quiet']);
    await ready(`http://127.0.0.1:${backendPort}/healthz`, backend);
    const sidecar = start(
      [
        'deploy/compose/sidecar-with-token-file.mjs',
        `--control-plane=${adminUrl}`,
        '--service=agents',
        `--trust-jwks-url=${adminUrl}/api/v1/sidecar/jwks`,
        `--cache-dir=${dir}`,
        `--upstream=http://127.0.0.1:${backendPort}`,
        `--listen=127.0.0.1:${listen}`,
        `--admin-listen=127.0.0.1:${adminListen}`,
        '--log-level=warn',
      ],
      { AGENTCORE_PROXY_TOKEN_FILE: join(dir, 'sidecar-token') },
    );
    await ready(`http://127.0.0.1:${adminListen}/readyz`, sidecar);
    const seed = JSON.parse(readFileSync(join(dir, 'demo-seed.json'), 'utf8')) as { apiKeys: Record<string, { secret: string }> };
    const url = `http://127.0.0.1:${listen}/api/v1/agents`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { 'x-api-key': seed.apiKeys.viewer!.secret } })).status).toBe(200);
    const exited = new Promise<number | null>((r) => sidecar.once('exit', (code) => r(code)));
    sidecar.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('sidecar-with-token-file.mjs stops with a clear message when the credential file is missing', async () => {
    const r = await run(['deploy/compose/sidecar-with-token-file.mjs', '--help'], { AGENTCORE_PROXY_TOKEN_FILE: join(dir, 'absent') });
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/cannot read the sidecar credential from .*absent/);
  });
});
