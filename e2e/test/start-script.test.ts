/**
 * `npm start` (scripts/start.mjs) as a newcomer uses it: it must stop everything when its parent is killed by pid,
 * reuse the credentials it minted on an earlier run instead of piling up new ones, and say what to do when
 * AGENTCORE_ADMIN_PASSWORD does not match the existing owner, and print a client_credentials curl that really gets
 * a token the sidecar accepts. Runs the real script (built dist) on free ports.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'agentcore-start-'));
const running: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

interface Started {
  shell: ChildProcess;
  ports: number[];
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs the script the way npm does (`sh -c`), with its own data directory and ports; resolves when it is up. */
async function startScript(extraEnv: Record<string, string> = {}, waitUp = true): Promise<Started> {
  const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
  const { AGENTCORE_ADMIN_PASSWORD: _ignored, ...inherited } = process.env;
  const env = {
    ...inherited,
    AGENTCORE_DATA_DIR: dataDir,
    AGENTCORE_ADMIN_PORT: String(ports[0]),
    DEMO_BACKEND_PORT: String(ports[1]),
    AGENTCORE_PROXY_PORT: String(ports[2]),
    AGENTCORE_PROXY_ADMIN_PORT: String(ports[3]),
    ...extraEnv,
  };
  const shell = spawn('sh', ['-c', 'node scripts/start.mjs'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(shell);
  let out = '';
  shell.stdout!.on('data', (d) => (out += d));
  shell.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => shell.on('exit', (code) => r(code)));
  const up = new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (out.includes('AgentCore Gateway is up.')) {
        clearInterval(tick);
        resolve();
      } else if (shell.exitCode !== null || Date.now() - t0 > 45_000) {
        clearInterval(tick);
        reject(new Error(`not up: ${out}`));
      }
    }, 50);
  });
  if (waitUp) await up;
  else await up.catch(() => undefined);
  return { shell, ports, output: () => out, exited };
}

/** The request of the printed `curl -s -u 'id:secret' -d … URL` line, redone with fetch; resolves with the answer. */
async function runPrintedTokenCurl(output: string): Promise<{ status: number; body: { access_token?: string; token_type?: string; scope?: string } }> {
  const line = output.split('\n').find((l) => l.includes('grant_type=client_credentials'));
  const m = line?.match(/curl -s -u '([^':]+):([^']+)' ((?:-d \S+ )+)(http:\/\/\S+\/oauth\/token)/);
  if (!m) throw new Error(`no client_credentials curl printed:\n${output}`);
  const [, id, secret, data, url] = m as unknown as [string, string, string, string, string];
  const form = data.trim().split(/\s*-d\s+/).filter(Boolean).join('&'); // curl -d joins with &, as form-urlencoded
  const r = await fetch(url, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: r.status, body: (await r.json()) as { access_token?: string } };
}

async function waitUntil(ms: number, probe: () => Promise<boolean>): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

afterAll(() => {
  for (const c of running) if (c.exitCode === null && c.pid !== undefined) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  let firstSeed: { automationToken: { id: string }; sidecarCredentialId: string; oauthClient: { id: string; secret: string } };

  it('stops every service when its parent shell is killed by pid', async () => {
    const s = await startScript();
    expect(s.output()).toContain('AgentCore Gateway is up.');
    for (const p of s.ports) expect(await portOpen(p)).toBe(true);
    firstSeed = JSON.parse(readFileSync(join(dataDir, 'demo-seed.json'), 'utf8'));
    expect(statSync(join(dataDir, 'demo-seed.json')).mode & 0o777).toBe(0o600);
    for (const f of ['agentcore.db', 'agentcore.db-wal', 'agentcore.db-shm']) expect(statSync(join(dataDir, f)).mode & 0o777).toBe(0o600);
    // the demo key (data/secret.key, 0600) encrypts the bundle signing keys at rest
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    const stored = execFileSync('sqlite3', [join(dataDir, 'agentcore.db'), 'select private_jwk from signing_keys'], { encoding: 'utf8' }).trim().split('\n');
    expect(stored.length).toBeGreaterThan(0);
    for (const k of stored) expect(k.startsWith('agcenc:v1:')).toBe(true);

    // The printed OAuth curl works: a Bearer token for demo-client that the synced sidecar accepts (viewer may read).
    const token = await runPrintedTokenCurl(s.output());
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'agents.read' });
    const agents = await fetch(`http://127.0.0.1:${s.ports[2]}/api/v1/agents`, { headers: { authorization: `Bearer ${token.body.access_token}` } });
    expect(agents.status).toBe(200);
    await agents.arrayBuffer();

    s.shell.kill('SIGTERM'); // what `kill <pid>` of npm's child does: the shell dies, the script is re-parented
    const freed = await waitUntil(10_000, async () => !(await Promise.all(s.ports.map(portOpen))).some(Boolean));
    expect(freed).toBe(true);
  }, 60_000);

  it('reuses the automation token and sidecar credential of the earlier run', async () => {
    const s = await startScript();
    const seed = JSON.parse(readFileSync(join(dataDir, 'demo-seed.json'), 'utf8'));
    expect(seed.automationToken.id).toBe(firstSeed.automationToken.id);
    expect(seed.sidecarCredentialId).toBe(firstSeed.sidecarCredentialId);
    expect(seed.oauthClient).toEqual(firstSeed.oauthClient);
    expect((await runPrintedTokenCurl(s.output())).status).toBe(200);
    s.shell.kill('SIGTERM');
    expect(await waitUntil(10_000, async () => !(await Promise.all(s.ports.map(portOpen))).some(Boolean))).toBe(true);
  }, 60_000);

  it('says what to do when AGENTCORE_ADMIN_PASSWORD does not match the existing owner', async () => {
    const s = await startScript({ AGENTCORE_ADMIN_PASSWORD: 'not the password of the owner' }, false);
    const code = await s.exited;
    expect(code).not.toBe(0);
    expect(s.output()).toContain('AGENTCORE_ADMIN_PASSWORD only sets the password of the first owner');
    expect(await waitUntil(10_000, async () => !(await Promise.all(s.ports.map(portOpen))).some(Boolean))).toBe(true);
  }, 60_000);
});
