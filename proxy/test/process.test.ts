/**
 * The `agentcore-proxy` binary as an operator runs it: flags and environment, start-up validation,
 * reload on SIGHUP and on file change, draining on SIGTERM, TLS. Needs `npm run build` (npm test does it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend, type DemoBackend } from '../../e2e/src/demo-backend.js';
import { loadConfig } from '../src/index.js';
import { demoBundle } from './helpers.js';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'agentcore-proxy-process-'));
let backend: DemoBackend;
const running: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Running {
  child: ChildProcess;
  url: string;
  admin: string;
  output(): string;
  exited: Promise<number | null>;
}

async function startCli(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn(process.execPath, [cli, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 10_000;
  while (!out.includes('agentcore-proxy listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sidecar did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}`, output: () => out, exited };
}

function writeBundle(name: string, revision: number, mutate?: (b: Record<string, unknown>) => void): string {
  const b = demoBundle() as unknown as Record<string, unknown>;
  b.revision = revision;
  mutate?.(b);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(b));
  return path;
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
const bundleInfo = async (admin: string): Promise<{ revision: number; last_rejection: { reason: string } | null }> =>
  (await (await fetch(`${admin}/bundle`)).json()) as { revision: number; last_rejection: { reason: string } | null };

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error('proxy/dist/cli.js is missing: run `npm run build` first (npm test does)');
  backend = await startDemoBackend({ port: 0, quiet: true });
});
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  await backend?.close();
});

const run = (args: string[], env: Record<string, string> = {}): { code: number; out: string } => {
  try {
    const out = execFileSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: err.stdout + err.stderr };
  }
};

describe('configuration', () => {
  it('--help lists every flag with its environment variable', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['--bundle', 'AGENTCORE_PROXY_BUNDLE', '--upstream', '--trusted-hops', 'AGENTCORE_PROXY_TRUSTED_HOPS', '--tls-cert', 'SIGHUP']) expect(r.out).toContain(s);
  });

  it.each([
    ['no bundle', ['--upstream', 'http://127.0.0.1:1'], '--bundle'],
    ['bad listen address', ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1', '--listen', 'nope'], '--listen'],
    ['bad upstream', ['--bundle', 'x.json', '--upstream', 'ftp://x'], '--upstream'],
    ['cert without key', ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1', '--tls-cert', 'c.pem'], '--tls-key'],
    ['unknown flag', ['--bundel', 'x.json'], 'bundel'],
    ['bad number', ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1', '--trusted-hops', '-1'], '--trusted-hops'],
    ['bad worker count', ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1', '--workers', 'many'], 'must be auto or a whole number from 1 to 64'],
    ['zero workers', ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1', '--workers', '0'], '--workers'],
  ])('refuses %s with exit 2 and says what to fix', (_n, args, mention) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.out).toContain('invalid configuration');
    expect(r.out).toContain(mention);
  });

  it('--workers auto means one worker per CPU this process may run on', () => {
    const base = ['--bundle', 'x.json', '--upstream', 'http://127.0.0.1:1'];
    const auto = loadConfig([...base, '--workers', 'auto'], {});
    expect(auto.ok && auto.config.workers).toBe(Math.min(64, availableParallelism()));
    const env = loadConfig(base, { AGENTCORE_PROXY_WORKERS: 'auto' });
    expect(env.ok && env.config.workers).toBe(Math.min(64, availableParallelism()));
    const one = loadConfig(base, {});
    expect(one.ok && one.config.workers).toBe(1);
  });

  it('reads AGENTCORE_PROXY_* variables, and refuses an invalid bundle at start with its error paths', () => {
    const bad = writeBundle('bad.json', 1, (b) => {
      (b.routes as Record<string, unknown>[])[0]!.match = { path: 'no-slash' };
    });
    const r = run([], { AGENTCORE_PROXY_BUNDLE: bad, AGENTCORE_PROXY_UPSTREAM: backend.url, AGENTCORE_PROXY_LISTEN: '127.0.0.1:0', AGENTCORE_PROXY_ADMIN_LISTEN: '127.0.0.1:0' });
    expect(r.code).toBe(1);
    expect(r.out).toContain('routes[0].match.path');
  });
});

describe('reload', () => {
  it('reloads on SIGHUP; an invalid new bundle is rejected with a reason and the old one keeps serving', async () => {
    const path = writeBundle('hup.json', 1);
    const p = await startCli(['--bundle', path, '--upstream', backend.url, '--watch', 'false']);
    expect((await bundleInfo(p.admin)).revision).toBe(1);
    writeBundle('hup.json', 2);
    p.child.kill('SIGHUP');
    expect((await until(() => bundleInfo(p.admin), (b) => b.revision === 2)).revision).toBe(2);
    writeFileSync(path, '{"version":1,"service":"agents","revision":3,"routes":[{"id":"x"}]}');
    p.child.kill('SIGHUP');
    const info = await until(() => bundleInfo(p.admin), (b) => b.last_rejection !== null);
    expect(info.revision).toBe(2);
    expect(info.last_rejection!.reason).toContain('routes[0].match');
    expect((await fetch(`${p.url}/healthz`)).status).toBe(200);
    expect(p.output()).toContain('bundle rejected');
  });

  it('reloads when the file changes', async () => {
    const path = writeBundle('watched.json', 1);
    const p = await startCli(['--bundle', path, '--upstream', backend.url]);
    const t0 = Date.now();
    writeBundle('watched.json', 7, (b) => {
      (b.routes as Record<string, unknown>[]).find((r) => r.id === 'healthz')!.auth = { required: true };
    });
    expect((await until(() => bundleInfo(p.admin), (b) => b.revision === 7)).revision).toBe(7);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((await fetch(`${p.url}/healthz`)).status).toBe(401);
  });
});

describe('SIGTERM', () => {
  it('drains: in-flight requests finish, then the process exits 0', async () => {
    const path = writeBundle('drain.json', 1, (b) => {
      (b.routes as unknown[]).push({ id: 'test-helpers', match: { path: '/__test', kind: 'prefix' }, auth: { required: false } });
    });
    const p = await startCli(['--bundle', path, '--upstream', backend.url, '--drain-timeout-ms', '5000']);
    const inflight = fetch(`${p.url}/__test/slow?ms=700`);
    await new Promise((r) => setTimeout(r, 150));
    p.child.kill('SIGTERM');
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.headers.get('connection')).toBe('close');
    expect(await p.exited).toBe(0);
    await expect(fetch(`${p.url}/healthz`)).rejects.toThrow();
  });
});

describe('--workers', () => {
  it('runs N workers on one port; the primary aggregates metrics and bundle info; SIGTERM stops all with exit 0', async () => {
    const path = writeBundle('workers.json', 3);
    const p = await startCli(['--bundle', path, '--upstream', backend.url, '--workers', '2']);
    const info = await until(
      async () => (await (await fetch(`${p.admin}/bundle`)).json()) as { workers: { pid: number; revision: number }[] },
      (b) => b.workers.length === 2,
      8000,
    );
    expect(info.workers).toHaveLength(2);
    expect(new Set(info.workers.map((w) => w.pid)).size).toBe(2);
    expect(info.workers.every((w) => w.revision === 3)).toBe(true);
    expect((await fetch(`${p.admin}/readyz`)).status).toBe(200);
    for (let i = 0; i < 20; i++) {
      // A new connection each time, so both workers take some.
      const r = await fetch(`${p.url}/healthz`, { headers: { connection: 'close' } });
      expect(r.status).toBe(200);
    }
    const metrics = await (await fetch(`${p.admin}/metrics`)).text();
    const total = [...metrics.matchAll(/agentcore_proxy_requests_total\{route="healthz"[^}]*\} (\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(total).toBe(20);
    expect(metrics).toMatch(/agentcore_proxy_bundle_revision\{service="agents"\} 3/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});

describe('TLS', () => {
  it('serves TLS 1.3 with HSTS, and refuses TLS 1.2 by default', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const path = writeBundle('tls.json', 1);
    const p = await startCli(['--bundle', path, '--upstream', backend.url, '--tls-cert', cert, '--tls-key', key]);
    const url = p.url.replace('http:', 'https:');
    const get = (opts: Record<string, unknown>): Promise<{ status: number; hsts: string | undefined; protocol: string }> =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(`${url}/healthz`, { rejectUnauthorized: false, ...opts }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, hsts: res.headers['strict-transport-security'] as string | undefined, protocol: (res.socket as TLSSocket).getProtocol() ?? '' });
        });
        req.on('error', reject);
        req.end();
      });
    const ok = await get({});
    expect(ok).toMatchObject({ status: 200, protocol: 'TLSv1.3' });
    expect(ok.hsts).toMatch(/^max-age=31536000; includeSubDomains/);
    await expect(get({ maxVersion: 'TLSv1.2' })).rejects.toThrow();
  });
});
