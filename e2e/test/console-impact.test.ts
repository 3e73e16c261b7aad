/**
 * The impact preview in a real browser against the real system (admin API on SQLite serving the built console,
 * the demo backend, a synced sidecar): traffic as two principals, a permission removed in the matrix, the
 * preview's predicted flips compared with what the sidecar really answers after the save; screenshots in light
 * and dark and an axe-core scan of the page with the preview open.
 * Needs `npm run build` and /usr/bin/chromium.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, screenshot, seriousViolations, signIn } from './console-support/browser.js';
import { startConsoleSystem, USERS, within, type ConsoleSystem } from './console-support/console-system.js';

const built = existsSync(new URL('../../admin-ui/dist/index.html', import.meta.url));
let sys: ConsoleSystem;
let browser: Browser;

/** The traffic: each request once, by `who` (an API key's role, a made-up key, or nobody). */
const TRAFFIC: { method: string; path: string; who: 'viewer' | 'operator' | 'bad-key' | 'none' }[] = [
  { method: 'GET', path: '/api/v1/agents', who: 'viewer' },
  { method: 'GET', path: '/api/v1/agents/impact-1', who: 'viewer' },
  { method: 'GET', path: '/api/v1/workflows', who: 'viewer' },
  { method: 'POST', path: '/api/v1/agents', who: 'viewer' },
  { method: 'GET', path: '/api/v1/agents', who: 'operator' },
  { method: 'GET', path: '/api/v1/workflows/impact-2', who: 'operator' },
  { method: 'GET', path: '/api/v1/debug/echo', who: 'operator' },
  { method: 'POST', path: '/api/v1/agents', who: 'operator' },
  { method: 'GET', path: '/healthz', who: 'none' },
  { method: 'GET', path: '/api/v1/agents', who: 'none' },
  { method: 'GET', path: '/api/v1/agents', who: 'bad-key' },
];

const label = (t: (typeof TRAFFIC)[number]) => `${t.method} ${t.path} as ${t.who}`;

/** Sends the whole traffic through the sidecar; returns each request's status by label. */
async function drive(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of TRAFFIC) {
    const key = t.who === 'viewer' || t.who === 'operator' ? sys.seeded.apiKeys[t.who]!.secret : t.who === 'bad-key' ? 'ak_not_a_real_key' : undefined;
    const headers: Record<string, string> = { ...(key ? { 'x-api-key': key } : {}), ...(t.method === 'POST' ? { 'content-type': 'application/json' } : {}) };
    const r = await fetch(sys.sidecar.url + t.path, { method: t.method, headers, ...(t.method === 'POST' ? { body: '{"name":"impact"}' } : {}) });
    await r.arrayBuffer();
    out.set(label(t), r.status);
  }
  return out;
}

/** The preview's flipped requests as labels (caller column → the key's role). */
async function predictedFlips(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Requests whose decision would change' });
  await table.waitFor({ timeout: 15_000 }).catch(async (e: unknown) => {
    throw new Error(`no flips table; the page says: ${await page.locator('main').innerText().catch(() => '?')}`, { cause: e });
  });
  const rows = await table.locator('tbody tr').allInnerTexts();
  const who = (text: string) => Object.entries(sys.seeded.apiKeys).find(([, k]) => text.includes(`key ${k.id}`))?.[0] ?? 'none';
  return rows.map((row) => {
    const [, request, callerCell] = row.split('\t');
    return `${request!.trim()} as ${who(callerCell!)}`;
  });
}

/** Opens the roles page as the security admin, unticks viewer's agents:read and opens the impact preview. */
async function openPreview(scheme: 'light' | 'dark'): Promise<Page> {
  const ctx = await newContext(browser, sys.admin.url, scheme);
  const page = await ctx.newPage();
  await signIn(page, USERS.security, '/services/agents/roles');
  await page.getByRole('checkbox', { name: 'viewer grants agents:read' }).click({ force: true });
  await page.getByRole('button', { name: 'Preview impact' }).click();
  return page;
}

describe.skipIf(!built)('the impact preview in Chromium', () => {
  beforeAll(async () => {
    [sys, browser] = await Promise.all([startConsoleSystem(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  });

  it('lists exactly the requests the sidecar denies once the permission is really removed', async () => {
    const before = await drive();
    expect(before.get('GET /api/v1/agents as viewer')).toBe(200);
    // The sidecar ships its access log in batches: wait until the admin API holds every record.
    await within(15_000, async () => (await sys.call<{ items: unknown[] }>('GET', '/api/v1/access-logs?service=agents&limit=1000')).body.items.length >= TRAFFIC.length, true);

    const page = await openPreview('light');
    let predicted: string[];
    try {
      predicted = await predictedFlips(page);
      const panel = page.getByRole('region', { name: 'Impact preview' });
      expect(await panel.getByRole('status').first().innerText()).toMatch(/Replayed \d+ of \d+ records in \d+ ms/);
      // The unknown key's record is reported as not replayable, not guessed.
      expect(await panel.getByRole('list', { name: 'Records not replayed' }).innerText()).toMatch(/credential presented was refused/);
      await screenshot(page, 'impact-preview', 'light');
      expect(await seriousViolations(page)).toEqual([]);

      const dark = await openPreview('dark');
      try {
        expect((await predictedFlips(dark)).sort()).toEqual([...predicted].sort());
        await screenshot(dark, 'impact-preview', 'dark');
        expect(await seriousViolations(dark)).toEqual([]);
      } finally {
        await dark.context().close();
      }

      await page.getByRole('button', { name: /^Save changes \(viewer\)/ }).click();
      const viewerKey = sys.seeded.apiKeys.viewer!.secret;
      await within(1000, async () => (await fetch(`${sys.sidecar.url}/api/v1/agents`, { headers: { 'x-api-key': viewerKey } }).then(async (r) => (await r.arrayBuffer(), r.status))), 403);
    } finally {
      await page.context().close();
    }

    const after = await drive();
    const reallyChanged = TRAFFIC.map(label).filter((l) => before.get(l) !== after.get(l));
    console.info(`predicted ${JSON.stringify(predicted)}; really changed ${JSON.stringify(reallyChanged)}`);
    expect(reallyChanged.length).toBeGreaterThanOrEqual(3); // viewer's and operator's (inherited) agent reads
    expect([...new Set(predicted)].sort()).toEqual(reallyChanged.sort());
    for (const l of reallyChanged) expect(after.get(l)).toBe(403);
  }, 120_000);
});
