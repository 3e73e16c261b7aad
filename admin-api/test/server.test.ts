/**
 * The assembled control plane: the OpenAPI document (validated with a standard validator), the
 * interactive docs, the owner bootstrap, and the `agentcore-admin` binary's configuration checks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-admin-test-'));
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
let admin: AdminHandle;

async function start(env: Record<string, string>, db = join(dir, 'a.db')): Promise<AdminHandle> {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${db}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('config');
  return startAdmin(c.config, { env, logDestination: quiet() });
}

beforeAll(async () => {
  admin = await start({ AGENTCORE_ADMIN_PASSWORD: 'a long enough password' });
});
afterAll(async () => {
  await admin?.close();
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document that a standard validator accepts', async () => {
    const r = await fetch(`${admin.url}/api/v1/openapi.json`);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as { openapi: string; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
    for (const p of ['/api/v1/session', '/api/v1/services', '/api/v1/services/{service}/routes/{id}', '/api/v1/sidecar/bundles/{service}', '/api/v1/access-logs/export']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(expect.arrayContaining(['sessionCookie', 'bearerToken', 'sidecarToken']));
  });

  it('has interactive docs at /docs', async () => {
    const r = await fetch(`${admin.url}/docs/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('swagger-ui');
  });

  it('answers unknown endpoints and bad JSON in the error format', async () => {
    const nf = await fetch(`${admin.url}/api/v1/nope`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const bad = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    // Strict, case-sensitive routing: neither a trailing slash nor another case reaches /api/v1/services.
    for (const p of ['/api/v1/services/', '/api/v1/Services']) expect((await fetch(`${admin.url}${p}`)).status).toBe(404);
  });
});

describe('hostile input (issue #9)', () => {
  it('answers malformed percent-encoding in a path id with 400 in the error format, not 500', async () => {
    for (const p of ['/api/v1/services/%zz', '/api/v1/services/%E0%A4%A', '/api/v1/services/a/routes/%']) {
      const r = await fetch(`${admin.url}${p}`);
      expect(r.status, p).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('INVALID_REQUEST');
    }
  });

  it('refuses a login body over 4 KiB with 413 before parsing it', async () => {
    const big = JSON.stringify({ username: 'owner', password: 'x'.repeat(8 * 1024) });
    const r = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const small = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nobody', password: 'wrong password' }) });
    expect(small.status).toBe(401);
  });
});

describe('first start', () => {
  it('creates the owner from AGENTCORE_ADMIN_PASSWORD, or generates one once', { timeout: 30_000 }, async () => {
    expect(admin.ownerCreated).toBe(true);
    expect(admin.generatedPassword).toBeUndefined();
    const login = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'a long enough password' }) });
    expect(login.status).toBe(200);

    const db = join(dir, 'generated.db');
    const first = await start({}, db);
    const generated = first.generatedPassword;
    await first.close();
    expect(generated).toMatch(/^.{12,}$/);
    const second = await start({}, db);
    try {
      expect(second.ownerCreated).toBe(false);
      expect(second.generatedPassword).toBeUndefined();
      const ok = await fetch(`${second.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: generated }) });
      expect(ok.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

describe('agentcore-admin binary', () => {
  const cli = new URL('../dist/cli.js', import.meta.url).pathname;
  const run = (args: string[]): { code: number; out: string } => {
    try {
      return { code: 0, out: execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { code: err.status, out: err.stdout + err.stderr };
    }
  };
  it('prints --help with every flag and its environment variable', () => {
    if (!existsSync(cli)) throw new Error('admin-api/dist/cli.js missing: run npm run build');
    const r = run(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['--listen', 'AGENTCORE_ADMIN_DATABASE', 'AGENTCORE_ADMIN_PASSWORD']) expect(r.out).toContain(s);
  });
  it.each([
    [['--listen', 'nowhere'], '--listen'],
    [['--database', 'mysql://x'], '--database'],
    [['--access-log-retention-days', '0'], '--access-log-retention-days'],
  ])('refuses %j with exit 2', (args, mention) => {
    const r = run(args);
    expect(r.code).toBe(2);
    expect(r.out).toContain(mention);
  });
  it('refuses an unreachable PostgreSQL with exit 1 and a clear message', () => {
    const r = run(['--database', 'postgres://postgres@127.0.0.1:1/none', '--listen', '127.0.0.1:0']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('cannot start');
  });
});
