/**
 * Access lines reach a piped stdout on their own (issue #9, item 13): under a container runtime stdout is a
 * pipe, and a finished request's line must appear within a second without further traffic to push it out.
 * Needs `npm run build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend, type DemoBackend } from '../../e2e/src/demo-backend.js';
import { demoBundle } from './helpers.js';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;
let backend: DemoBackend;
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
});
afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }
  await backend?.close();
});

describe('access log on a piped stdout', () => {
  it('each request line arrives within 500 ms, at any phase of the flush timer, with no traffic after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcore-proxy-pipe-'));
    const bundlePath = join(dir, 'bundle.json');
    writeFileSync(bundlePath, JSON.stringify(demoBundle()));
    const port = await freePort();
    child = spawn(process.execPath, [cli, '--bundle', bundlePath, '--upstream', backend.url, '--listen', `127.0.0.1:${port}`, '--admin-listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const arrived = new Map<string, number>();
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      for (const m of out.matchAll(/"path":"\/(pipe-\d+)"/g)) if (!arrived.has(m[1]!)) arrived.set(m[1]!, performance.now());
    });
    const deadline = Date.now() + 10_000;
    while (!out.includes('agentcore-proxy listening')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sidecar did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    // Three requests a third of a second apart: whatever the phase of a periodic flush, one of them lands in
    // the first half of a 1 s period — the delay the old 1 s flusher gave.
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = `pipe-${i}`;
      const r = await fetch(`http://127.0.0.1:${port}/${id}`); // no route: a 404, still one access line
      await r.arrayBuffer();
      const done = performance.now();
      while (!arrived.has(id) && performance.now() - done < 1500) await new Promise((r) => setTimeout(r, 5));
      delays.push((arrived.get(id) ?? Infinity) - done);
      await new Promise((r) => setTimeout(r, 333));
    }
    expect(out).toContain('"msg":"access"');
    for (const d of delays) expect(d).toBeLessThan(500);
  });
});
