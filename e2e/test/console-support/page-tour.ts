/** Visits every console page as the owner, in light and dark: a screenshot of each and an axe-core scan (serious/critical only). */
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { newContext, screenshot, seriousViolations, signIn } from './browser.js';
import { USERS, type ConsoleSystem } from './console-system.js';

/** The pages and what marks them as loaded. */
export const PAGES: readonly { name: string; path: string; ready: string }[] = [
  { name: 'services', path: '/', ready: 'Sidecar credentials' },
  { name: 'principals', path: '/principals', ready: 'Create a principal' },
  { name: 'api-keys', path: '/services/agents/api-keys', ready: 'Keys' },
  { name: 'roles', path: '/services/agents/roles', ready: 'Save changes' },
  { name: 'routes', path: '/services/agents/config', ready: 'Upstreams' },
  { name: 'fleet', path: '/services/agents/fleet', ready: 'Last seen' },
  { name: 'bundles', path: '/services/agents/bundles', ready: 'History' },
  { name: 'simulator', path: '/services/agents/simulator', ready: 'Many requests' },
  { name: 'access-logs', path: '/access-logs', ready: 'Export CSV' },
  { name: 'live-tail', path: '/live-tail', ready: 'Live tail' },
  { name: 'audit', path: '/audit', ready: 'Resource type' },
];

export interface TourResult {
  screenshots: string[];
  violations: Record<string, { id: string; impact: string; nodes: string[] }[]>;
}

/** Runs the tour in one colour scheme. */
export async function pageTour(sys: ConsoleSystem, browser: Browser, scheme: 'light' | 'dark'): Promise<TourResult> {
  const ctx = await newContext(browser, sys.admin.url, scheme);
  const page = await ctx.newPage();
  const out: TourResult = { screenshots: [], violations: {} };
  try {
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    out.screenshots.push(await screenshot(page, 'sign-in', scheme));
    const signInIssues = await seriousViolations(page);
    if (signInIssues.length) out.violations[`sign-in/${scheme}`] = signInIssues;
    await signIn(page, USERS.owner);
    for (const p of PAGES) {
      await page.goto(p.path);
      await page.getByText(p.ready, { exact: false }).first().waitFor();
      await expect.poll(() => page.getByText(/^(Loading|Checking|Searching)/).count()).toBe(0);
      out.screenshots.push(await screenshot(page, p.name, scheme));
      const issues = await seriousViolations(page);
      if (issues.length) out.violations[`${p.name}/${scheme}`] = issues;
    }
    return out;
  } finally {
    await ctx.close();
  }
}
