/** Real sidecar processes (the built CLI, `dist/cli.js`) for the event tests, started on free ports and stopped by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

const cli = new URL('../../dist/cli.js', import.meta.url).pathname;

/** A running sidecar process. */
export interface SidecarProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  admin: string;
  output(): string;
  stop(): Promise<void>;
}

/** Writes `bundle` to a temp file; returns its path. */
export function bundleFile(bundle: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'agentcore-events-')), 'bundle.json');
  writeFileSync(path, JSON.stringify(bundle));
  return path;
}

/** Starts `agentcore-proxy --bundle <file> --upstream <upstream> ...args` and waits until it listens. */
export async function startSidecarProcess(bundlePath: string, upstream: string, args: string[] = []): Promise<SidecarProcess> {
  if (!existsSync(cli)) throw new Error('proxy/dist/cli.js is missing: run `npm run build` first');
  const port = await freePort();
  const adminPort = await freePort();
  const child = spawn(process.execPath, [cli, '--bundle', bundlePath, '--upstream', upstream, '--listen', `127.0.0.1:${port}`, '--admin-listen', `127.0.0.1:${adminPort}`, '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const admin = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sidecar did not start: ${out}`);
    const ok = await fetch(`${admin}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return { child, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/api/v1/events`, admin, output: () => out, stop };
}
