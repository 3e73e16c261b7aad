/**
 * #10 newcomer defect: AGENTCORE_ADMIN_PASSWORD was silently ignored once the owner existed. Now the start warns
 * (and says whether it matches), and `agentcore-admin reset-owner-password` changes it from the host (built binary).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-owner-'));
const db = join(dir, 'a.db');
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const FIRST = 'the first password 123';
const SECOND = 'the second password 456';
const running: AdminHandle[] = [];

async function start(password: string): Promise<{ admin: AdminHandle; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) });
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${db}`, '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('config');
  const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: password }, logDestination: sink });
  running.push(admin);
  return { admin, logs };
}
const login = (admin: AdminHandle, password: string) =>
  fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
const reset = (password: string | undefined, database = db) =>
  spawnSync(process.execPath, [cli, 'reset-owner-password', '--database', `sqlite:${database}`], { env: { PATH: process.env.PATH, ...(password === undefined ? {} : { AGENTCORE_ADMIN_PASSWORD: password }) }, encoding: 'utf8' });

afterAll(async () => {
  for (const a of running) await a.close();
});

describe('AGENTCORE_ADMIN_PASSWORD once the owner exists', { timeout: 60_000 }, () => {
  it('warns at start that it is ignored and does not match; reset-owner-password changes it and ends the sessions', async () => {
    const first = await start(FIRST);
    expect(first.admin.ownerCreated).toBe(true);
    const old = await login(first.admin, FIRST);
    expect(old.status).toBe(200);
    const oldCookie = old.headers.get('set-cookie')!.split(';')[0]!;
    await first.admin.close();

    const second = await start(SECOND);
    expect(second.admin.ownerCreated).toBe(false);
    const warning = second.logs.map((l) => JSON.parse(l) as { level: number; msg: string; matches?: boolean }).find((l) => l.msg.includes('AGENTCORE_ADMIN_PASSWORD'));
    expect(warning).toMatchObject({ level: 40, matches: false });
    expect(warning!.msg).toContain('reset-owner-password');
    expect(second.logs.join('')).not.toContain(SECOND);
    expect((await login(second.admin, SECOND)).status).toBe(401);
    expect((await fetch(`${second.admin.url}/api/v1/session`, { headers: { cookie: oldCookie } })).status).toBe(200);

    const r = reset(SECOND);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('reset');
    expect(r.stderr + r.stdout).not.toContain(SECOND);
    expect((await login(second.admin, SECOND)).status).toBe(200); // the running admin API accepts it at once
    expect((await login(second.admin, FIRST)).status).toBe(401);
    expect((await fetch(`${second.admin.url}/api/v1/session`, { headers: { cookie: oldCookie } })).status).toBe(401); // sessions ended
    await second.admin.close();

    const third = await start(SECOND);
    expect(third.logs.map((l) => JSON.parse(l) as { matches?: boolean }).find((l) => l.matches !== undefined)).toMatchObject({ matches: true });
  });

  it('refuses a missing or short password, and a database without the owner', () => {
    const missing = reset(undefined);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('AGENTCORE_ADMIN_PASSWORD');
    expect(reset('short').stderr).toMatch(/at least 12 characters/);
    const empty = reset('a long enough password', join(dir, 'empty.db'));
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('no admin account "admin"');
  });
});
