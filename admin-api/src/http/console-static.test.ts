import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, mountConsole } from './console-static.js';

describe('mountConsole', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-1.js"></script>');
    writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
    const app = express();
    expect(mountConsole(app, dir)).toBe(true);
    app.use((_req, res) => res.status(404).json({ error: { code: 'NOT_FOUND' } }));
    server = await new Promise((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it.each(['/', '/services/agents/roles', '/sign-in?next=%2Faudit'])('answers the page path %s with index.html and the strict CSP', async (path) => {
    const r = await fetch(base + path);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<div id="root">');
    expect(r.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('serves hashed assets for a year, and a missing asset is a 404 (not the page)', async () => {
    const a = await fetch(`${base}/assets/app-1.js`);
    expect(a.status).toBe(200);
    expect(a.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('leaves the API, the docs and other methods alone', async () => {
    expect((await fetch(`${base}/api/v1/services`)).status).toBe(404);
    expect((await fetch(`${base}/docs/`)).status).toBe(404);
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(404);
  });

  it('mounts nothing when the console is not built', () => {
    expect(mountConsole(express(), join(tmpdir(), 'no-such-console-dir'))).toBe(false);
  });
});
