/**
 * The Overview page and the reason-code filter in a real browser (Debian's Chromium via playwright-core)
 * against the real admin API on SQLite, the demo backend and a synced sidecar: real traffic through the
 * sidecar (allowed, refused keys, rate-limited writes) shows up in the Overview's charts; the auditor
 * filters the access logs by reason codes and exports exactly those records. Light and dark screenshots
 * of the Overview go to e2e/.artifacts, with an axe-core scan of each.
 * Needs `npm run build` (the console's dist) and /usr/bin/chromium.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium, newContext, screenshot, seriousViolations, signIn } from './console-support/browser.js';
import { USERS, sidecarStatus, startConsoleSystem, within, type ConsoleSystem } from './console-support/console-system.js';

const built = existsSync(new URL('../../admin-ui/dist/index.html', import.meta.url));
let sys: ConsoleSystem;
let browser: Browser;

interface Rec {
  id: number;
  status: number;
  decision: string;
  reason: string | null;
}
const records = async (query = ''): Promise<Rec[]> => (await sys.call<{ items: Rec[] }>('GET', `/api/v1/access-logs?service=agents&limit=1000${query}`)).body.items;

/** Real traffic through the sidecar: allowed reads, refused keys, and writes past the 5-per-10-s limit. */
async function driveTraffic(): Promise<number> {
  const key = sys.seeded.apiKeys.operator!.secret;
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++) statuses.push(await sidecarStatus(sys.sidecar.url, key));
  for (let i = 0; i < 3; i++) statuses.push(await sidecarStatus(sys.sidecar.url, `ak_not_a_key_${i}`));
  for (let i = 0; i < 8; i++) statuses.push(await sidecarStatus(sys.sidecar.url, key, '/api/v1/agents', 'POST'));
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
  await within(10_000, async () => (await records()).length >= statuses.length, true);
  return statuses.length;
}

async function overviewShows(page: Page, all: Rec[]): Promise<void> {
  const denied = all.filter((r) => r.decision === 'deny').length;
  const limited = all.filter((r) => r.status === 429).length;
  await page.getByText(`${all.length} requests, ${denied} denied, ${limited} × 429 in this range`).waitFor({ timeout: 10_000 });
  const traffic = page.getByRole('figure', { name: 'Requests, denials and 429s' });
  expect(await traffic.locator('.chart-canvas').getAttribute('aria-label')).toContain(`${all.length} requests, ${denied} denied, ${limited} answered 429`);
  // The SVG itself is drawn: three lines, and a bar per reason in the reasons chart.
  expect(await traffic.locator('.recharts-line-curve').count()).toBe(3);
  const reasons = page.getByRole('figure', { name: 'Denials by reason' });
  for (const reason of new Set(all.filter((r) => r.decision === 'deny').map((r) => r.reason ?? 'NO_REASON'))) {
    expect(await reasons.locator('.chart-canvas').getAttribute('aria-label')).toContain(reason);
  }
  expect(await reasons.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
  const latency = page.getByRole('figure', { name: 'Latency p50 / p99 (ms)' });
  expect(await latency.locator('.recharts-line-curve').count()).toBe(2);
  expect(await latency.locator('.recharts-line-dots circle').count()).toBeGreaterThan(0);
  const breakdown = page.getByRole('table', { name: 'Traffic per service and route' });
  expect(await breakdown.getByRole('row').filter({ hasText: 'agents' }).count()).toBeGreaterThan(0);
}

describe.skipIf(!built)('the Overview and the reason-code filter in Chromium', () => {
  beforeAll(async () => {
    [sys, browser] = await Promise.all([startConsoleSystem(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  });

  it('charts real sidecar traffic; the auditor filters access logs by reason codes and exports exactly those', async () => {
    await driveTraffic();
    const all = await records();

    for (const scheme of ['light', 'dark'] as const) {
      const ctx = await newContext(browser, sys.admin.url, scheme);
      const page = await ctx.newPage();
      try {
        await signIn(page, USERS.auditor, '/overview');
        await overviewShows(page, all);
        await page.getByRole('form', { name: 'Overview range and filters' }).getByRole('button', { name: /Range/ }).click();
        await page.getByRole('option', { name: 'Last hour' }).click();
        await overviewShows(page, all);
        await screenshot(page, 'console-overview', scheme);
        expect(await seriousViolations(page), `axe on /overview (${scheme})`).toEqual([]);
      } finally {
        await ctx.close();
      }
    }

    const ctx = await newContext(browser, sys.admin.url);
    const page = await ctx.newPage();
    try {
      // The pickers work from the keyboard: Range → Last 6 hours switches the bucket to 5m.
      await signIn(page, USERS.auditor, '/overview');
      const filters = page.getByRole('form', { name: 'Overview range and filters' });
      await filters.getByRole('button', { name: /Range/ }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('option', { name: 'Last 24 hours' }).waitFor();
      await page.keyboard.press('ArrowUp'); // from the selected "Last 24 hours" to "Last 6 hours"
      await page.keyboard.press('Enter');
      await filters.getByRole('button', { name: /5m.*Bucket|Bucket.*5m/ }).waitFor();
      await page.getByText(`${all.length} requests,`, { exact: false }).waitFor();
      // The breakdown narrows the charts to one route.
      const limitedRoute = (await sys.call<{ items: { routeId: string; status: number }[] }>('GET', '/api/v1/access-logs?service=agents&status=429&limit=1')).body.items[0]!.routeId;
      await page.getByRole('button', { name: `Show agents ${limitedRoute} in the charts` }).click();
      const onRoute = (await records(`&route=${limitedRoute}`)).length;
      await page.getByText(new RegExp(`^${onRoute} requests, \\d+ denied, \\d+ × 429 in this range$`)).waitFor();

      // Reason codes: a bad one is refused beside the field; two good ones filter search and export.
      const codes = [...new Set(all.filter((r) => r.decision === 'deny').map((r) => r.reason!))].sort();
      expect(codes.length).toBeGreaterThanOrEqual(2);
      await page.goto('/access-logs');
      const form = page.getByRole('form', { name: 'Filter access logs' });
      await form.getByLabel('Reason codes').fill('not a code');
      await form.getByRole('button', { name: 'Search' }).click();
      await form.getByText('Reason codes like MISSING_PERMISSION, comma-separated (at most 20)').waitFor();
      await form.getByLabel('Reason codes').fill(` ${codes[0]}, ${codes[1]} `);
      await form.getByRole('button', { name: 'Search' }).click();
      const expected = (await records(`&reason=${codes[0]},${codes[1]}`)).map((r) => r.id).sort();
      expect(expected.length).toBe(all.filter((r) => r.reason === codes[0] || r.reason === codes[1]).length);
      await expect.poll(async () => page.getByTestId('access-log-count').innerText()).toBe(`${expected.length} records`);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
      const file = join(ARTIFACTS, 'access-logs-by-reason.csv');
      await download.saveAs(file);
      const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
      expect(lines[0]).toMatch(/^id,at,service/);
      expect(lines.slice(1).map((l) => Number(l.split(',')[0])).sort()).toEqual(expected);
      expect(lines.slice(1).every((l) => l.split(',')[11] === codes[0] || l.split(',')[11] === codes[1])).toBe(true);
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
