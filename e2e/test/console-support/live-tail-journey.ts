/** The live tail: a request through the sidecar appears within seconds; paused, new ones wait and show on resume. */
import type { Browser } from 'playwright-core';
import { newContext, signIn } from './browser.js';
import { sidecarStatus, USERS, type ConsoleSystem } from './console-system.js';

/** Runs it as the auditor; returns ms from the request to its row. */
export async function liveTailJourney(sys: ConsoleSystem, browser: Browser): Promise<number> {
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    await signIn(page, USERS.auditor, '/live-tail');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    const t0 = Date.now();
    await sidecarStatus(sys.sidecar.url, 'ak_live_tail_probe', '/api/v1/agents/live-1');
    await page.getByTestId('live-tail').getByText('/api/v1/agents/live-1').waitFor({ timeout: 10_000 });
    const ms = Date.now() - t0;
    await page.getByRole('button', { name: 'Pause' }).click();
    await sidecarStatus(sys.sidecar.url, 'ak_live_tail_probe', '/api/v1/agents/live-2');
    await page.getByRole('button', { name: 'Resume (1 new)' }).waitFor({ timeout: 10_000 });
    if (await page.getByText('/api/v1/agents/live-2').count()) throw new Error('a paused tail showed a new record');
    await page.getByRole('button', { name: 'Resume (1 new)' }).click();
    await page.getByTestId('live-tail').getByText('/api/v1/agents/live-2').waitFor();
    return ms;
  } finally {
    await ctx.close();
  }
}
