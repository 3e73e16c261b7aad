/**
 * `--exit-on-file` on the built CLI (Kubernetes < 1.29, a Job's Pod must complete): the sidecar runs until the
 * application writes the file in the shared directory, then drains and exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoBundlePath } from './helpers.js';

const cli = new URL('../dist/cli.js', import.meta.url).pathname;

describe('--exit-on-file', () => {
  it('keeps serving until the file appears, then drains and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcore-exit-file-'));
    const file = join(dir, 'exit');
    const child = spawn(process.execPath, [cli, '--bundle', demoBundlePath, '--upstream', 'http://127.0.0.1:1', '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--exit-on-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 15_000;
      while (!out.includes('agentcore-proxy listening')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sidecar did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect(child.exitCode).toBeNull(); // still running without the file
      writeFileSync(file, '');
      expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 15_000))])).toBe(0);
      expect(out).toContain('exit file present: draining');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
