/**
 * The security admin's rate-limit, admin-user and access-token pages in Chromium against the real admin API on
 * SQLite, the demo backend and a synced sidecar: a limit made in the console is enforced (429 with RateLimit
 * headers), a new admin sees only their role's controls, a token made in the console works as a bearer token until
 * revoked; light and dark screenshots and an axe-core scan of the three pages.
 * Needs `npm run build` (the console's dist) and /usr/bin/chromium (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenJourney, adminPagesTour, adminUserJourney, rateLimitJourney } from './console-support/admin-pages-journeys.js';
import { launchChromium } from './console-support/browser.js';
import { startConsoleSystem, type ConsoleSystem } from './console-support/console-system.js';

const built = existsSync(new URL('../../admin-ui/dist/index.html', import.meta.url));
let sys: ConsoleSystem;
let browser: Browser;

describe.skipIf(!built)('rate limits, admin users and access tokens in the console', () => {
  beforeAll(async () => {
    [sys, browser] = await Promise.all([startConsoleSystem(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  });

  it('a rate limit created with the keyboard in the console is enforced by the synced sidecar (429 + RateLimit headers) within a second; an edit too', async () => {
    const t = await rateLimitJourney(sys, browser);
    expect(t.attachTo429Ms).toBeLessThan(1000);
    expect(t.createTo429Ms).toBeLessThan(2000); // typing into the table, the route edit through the API, the 429
    expect(t.editTo200Ms).toBeLessThan(1000);
    expect(t.throttled.policy).toMatch(/"e2e-tight";q=2;w=60/);
    expect(t.throttled.limit).toMatch(/"e2e-tight";r=0;t=\d+/);
    expect(Number(t.throttled.retryAfter)).toBeGreaterThan(0);
  });

  it('the owner creates an admin user, who signs in and sees only the controls of their role', async () => {
    await adminUserJourney(sys, browser);
  });

  it('a personal access token created in the console works as a bearer token with its owner’s role, and stops once revoked', async () => {
    const t = await accessTokenJourney(sys, browser);
    expect(t.revokeMs).toBeLessThan(1000);
  });

  it.each(['light', 'dark'] as const)('the three pages in %s: screenshots and no serious or critical axe-core violation', async (scheme) => {
    const tour = await adminPagesTour(sys, browser, scheme);
    expect(tour.screenshots).toHaveLength(3);
    expect(tour.violations).toEqual({});
  }, 60_000);
});
