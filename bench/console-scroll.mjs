#!/usr/bin/env node
/* global requestAnimationFrame -- the frame counters run inside the page (page.evaluate) */
// The console's access-log table at 100,000 rows: loads every page by scrolling, then scrolls the
// virtualised table top to bottom and back while counting animation frames, under a Chromium trace.
// Needs `npm run build` and /usr/bin/chromium. Usage: node bench/console-scroll.mjs [--rows 100000] [--seconds 8]
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { chromium } from 'playwright-core';
import { loadConfig, startAdmin } from '../admin-api/dist/index.js';
import { insertAccessLogs } from '../admin-api/dist/store/access-logs-repo.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 100_000);
const SECONDS = arg('seconds', 8);
/** scroll speed; 0 = the whole table down and back up in SECONDS */
const RPS = arg('rows-per-second', 0);
const PASSWORD = 'correct horse battery staple';
const out = new URL('../e2e/.artifacts/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const dir = mkdtempSync(join(tmpdir(), 'console-scroll-'));
const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'a.db')}`, '--log-level', 'warn'], {});
const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
const t0 = Date.now();
const methods = ['GET', 'POST', 'PUT', 'DELETE'];
for (let i = 0; i < ROWS; i += 10_000) {
  const batch = Array.from({ length: Math.min(10_000, ROWS - i) }, (_, j) => {
    const n = i + j;
    return { at: t0 - n * 1000, service: 'agents', requestId: `req-${n}`, principal: n % 3 ? `svc-${n % 17}` : null, apiKeyId: null, routeId: `route-${n % 9}`,
      method: methods[n % 4], path: `/api/v1/agents/${n}`, status: n % 5 ? 200 : 403, decision: n % 5 ? 'allow' : 'deny', reason: n % 5 ? 'GRANTED' : 'MISSING_PERMISSION', client: '10.0.0.1', latencyMs: (n % 50) / 10 };
  });
  await insertAccessLogs(admin.store, batch);
}
console.log(`inserted ${ROWS} records in ${Date.now() - t0} ms`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const page = await (await browser.newContext({ baseURL: admin.url, viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto('/access-logs');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const table = page.getByTestId('access-log-table');
  await table.waitFor();
  const t1 = Date.now();
  while ((await page.getByTestId('access-log-count').innerText()) !== `${ROWS} records`) {
    await table.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await page.waitForTimeout(50);
  }
  console.log(`loaded ${ROWS} rows by scrolling in ${Date.now() - t1} ms`);
  const domRows = await page.locator('[data-record-id]').count();

  // Baseline: frames the same page paints in 2 s with nothing to do (the machine's and headless Chromium's ceiling).
  const idle = await page.evaluate(
    () =>
      new Promise((resolve) => {
        let n = 0;
        const start = performance.now();
        const step = (now) => (now - start < 2000 ? (n++, requestAnimationFrame(step)) : resolve(n / 2));
        requestAnimationFrame(step);
      }),
  );
  await browser.startTracing(page, { path: join(out, 'console-scroll-trace.json'), screenshots: false, categories: ['devtools.timeline'] });
  const frames = await table.evaluate(
    (el, [seconds, rps]) =>
      new Promise((resolve) => {
        const times = [];
        const start = performance.now();
        // top → bottom → top at a constant speed (rows of 28 px), or the whole table down and back
        const span = rps > 0 ? Math.min(el.scrollHeight - el.clientHeight, (rps * 28 * seconds) / 2) : el.scrollHeight - el.clientHeight;
        const step = (now) => {
          times.push(now);
          const t = (now - start) / (seconds * 1000);
          el.scrollTop = span * (t < 0.5 ? t * 2 : 2 - t * 2);
          if (t < 1) requestAnimationFrame(step);
          else resolve(times);
        };
        requestAnimationFrame(step);
      }),
    [SECONDS, RPS],
  );
  await browser.stopTracing();
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  const fps = (gaps.length / (frames.at(-1) - frames[0])) * 1000;
  let worst = Infinity;
  for (let i = 0; i < frames.length; i++) {
    let j = i;
    while (j < frames.length && frames[j] - frames[i] < 1000) j++;
    if (frames[j - 1] - frames[i] > 900 && j < frames.length) worst = Math.min(worst, j - i);
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  console.log(JSON.stringify({ idleFps: idle, rowsPerSecond: RPS || Math.round((2 * ROWS) / SECONDS), rows: ROWS, domRows, seconds: SECONDS, frames: frames.length, avgFps: +fps.toFixed(1), worst1sFps: worst, p50FrameMs: +sorted[Math.floor(sorted.length / 2)].toFixed(1), p99FrameMs: +sorted[Math.floor(sorted.length * 0.99)].toFixed(1), framesOver20ms: gaps.filter((g) => g > 20).length, trace: 'e2e/.artifacts/console-scroll-trace.json' }));
} finally {
  await browser.close();
  await admin.close();
}
