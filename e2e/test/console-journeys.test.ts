/**
 * The console in a real browser (Debian's Chromium via playwright-core) against the real admin API on
 * SQLite serving the built console, the demo backend and a synced sidecar: the user journeys of
 * issue #11, then a light/dark tour with screenshots and an axe-core scan of every page.
 * Needs `npm run build` (the console's dist) and /usr/bin/chromium (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './console-support/browser.js';
import { startConsoleSystem, type ConsoleSystem } from './console-support/console-system.js';
import { keyboardApiKeyJourney, sessionExpiryJourney } from './console-support/keyboard-journeys.js';
import { liveTailJourney } from './console-support/live-tail-journey.js';
import { pageTour } from './console-support/page-tour.js';
import { auditorJourney, rollbackJourney } from './console-support/platform-audit-journeys.js';
import { simulatorJourney } from './console-support/simulator-journey.js';
import { apiKeyJourney, conflictJourney, permissionMatrixJourney } from './console-support/security-journeys.js';

const built = existsSync(new URL('../../admin-ui/dist/index.html', import.meta.url));
let sys: ConsoleSystem;
let browser: Browser;

describe.skipIf(!built)('the console in Chromium', () => {
  beforeAll(async () => {
    [sys, browser] = await Promise.all([startConsoleSystem(), launchChromium()]);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  });

  it('serves the console at / with a strict CSP and routes page paths to it', async () => {
    for (const path of ['/', '/services/agents/roles']) {
      const r = await fetch(sys.admin.url + path);
      expect(r.status).toBe(200);
      expect(await r.text()).toContain('<div id="root">');
      const csp = r.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
    }
    expect((await fetch(`${sys.admin.url}/api/v1/nope`)).status).toBe(404);
    expect((await fetch(`${sys.admin.url}/assets/missing.js`)).status).toBe(404);
  });

  it('journey 1: a security admin creates a key, copies it, the sidecar accepts it; revokes it, the sidecar refuses it (each within 1 s)', async () => {
    const t = await apiKeyJourney(sys, browser);
    expect(t.createMs).toBeLessThan(1000);
    expect(t.revokeMs).toBeLessThan(1000);
  });

  it('journey 1 with the keyboard alone', async () => {
    await keyboardApiKeyJourney(sys, browser);
  });

  it('an expired session sends you to sign-in and back to the page you were on', async () => {
    await sessionExpiryJourney(sys, browser);
  });

  it('journey 2: removing a permission in the matrix makes the sidecar answer 403 within 1 s; the audit trail shows before/after', async () => {
    expect(await permissionMatrixJourney(sys, browser)).toBeLessThan(1000);
  });

  it('journey 6: two browsers edit the same role; the second save shows the conflict and re-applies on request', async () => {
    await conflictJourney(sys, browser);
  });

  it('journey 4: an auditor filters access logs, exports exactly the filtered records as CSV, and has no edit control', async () => {
    expect(await auditorJourney(sys, browser)).toBeGreaterThanOrEqual(3);
  });

  it('the live tail shows a request through the sidecar within seconds, and holds new ones while paused', async () => {
    expect(await liveTailJourney(sys, browser)).toBeLessThan(5000);
  });

  it('journey 3: a platform engineer sees the fleet up to date, diffs revisions, rolls back, and sees the fleet converge', async () => {
    expect(await rollbackJourney(sys, browser)).toBeLessThan(15_000);
  });

  it("journey 5: the browser simulator's decision equals the live sidecar's for 200 random requests", async () => {
    const outcomes = await simulatorJourney(sys, browser);
    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(200);
    // The random requests reach every kind of answer, so the comparison means something.
    for (const kind of ['forward', '400', '401', '403', '404', '405']) expect(outcomes[kind], kind).toBeGreaterThan(0);
  });

  it.each(['light', 'dark'] as const)('every page in %s: a screenshot, and no serious or critical axe-core violation', async (scheme) => {
    const tour = await pageTour(sys, browser, scheme);
    expect(tour.screenshots).toHaveLength(12);
    expect(tour.violations).toEqual({});
  }, 120_000);
});
