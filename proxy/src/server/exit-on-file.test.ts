import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchExitFile } from './exit-on-file.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchExitFile', () => {
  it('fires once when the file appears, not before', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agentcore-exit-')), 'exit');
    let calls = 0;
    const stop = watchExitFile(file, () => calls++, 20);
    await sleep(120);
    expect(calls).toBe(0);
    writeFileSync(file, '');
    await sleep(200);
    expect(calls).toBe(1);
    stop();
  });

  it('does not fire after stop', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'agentcore-exit-')), 'exit');
    let calls = 0;
    const stop = watchExitFile(file, () => calls++, 20);
    stop();
    writeFileSync(file, '');
    await sleep(120);
    expect(calls).toBe(0);
  });
});

describe('--exit-on-file flag', () => {
  it('is refused together with --workers > 1', async () => {
    const { loadConfig } = await import('../config.js');
    const r = loadConfig(['--bundle', 'b.json', '--upstream', 'http://127.0.0.1:1', '--exit-on-file', '/tmp/x', '--workers', '2'], {});
    expect(r.ok).toBe(false);
    if (!r.ok && !r.help) expect(r.errors.join(' ')).toContain('--exit-on-file');
    expect(loadConfig(['--bundle', 'b.json', '--upstream', 'http://127.0.0.1:1', '--exit-on-file', '/tmp/x'], {}).ok).toBe(true);
  });
});
