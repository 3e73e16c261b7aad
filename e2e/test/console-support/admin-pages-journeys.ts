/**
 * Journeys over the rate-limit, admin-user and access-token pages: a limit made in the console (with the keyboard
 * alone) is enforced by the synced sidecar; a new admin signs in and sees only their role's controls; a personal
 * access token made in the console works as a bearer token and stops working once revoked. Plus their light/dark tour.
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { loginForToken } from '../../src/seed-demo.js';
import { newContext, screenshot, seriousViolations, signIn } from './browser.js';
import { PASSWORD, USERS, within, type ConsoleSystem } from './console-system.js';

/** The name of the focused element: aria-label, its label's text, or its own text. */
const focusedName = (page: Page): Promise<string> =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    return ((el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? '') || el.textContent || '').trim();
  })()`);

/** Presses Tab until the focused element's name matches `name`. */
async function tabTo(page: Page, name: RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (name.test(await focusedName(page))) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

/** A request through the sidecar with the operator's key: its status and rate-limit headers. */
async function echo(sys: ConsoleSystem): Promise<{ status: number; policy: string | null; limit: string | null; retryAfter: string | null }> {
  const r = await fetch(`${sys.sidecar.url}/api/v1/debug/echo`, { headers: { 'x-api-key': sys.seeded.apiKeys.operator!.secret } });
  await r.arrayBuffer();
  return { status: r.status, policy: r.headers.get('ratelimit-policy'), limit: r.headers.get('ratelimit'), retryAfter: r.headers.get('retry-after') };
}

export interface RateLimitTimes {
  /** from pressing Enter on the create form to the first 429 (includes the platform engineer attaching it to the route) */
  createTo429Ms: number;
  /** from attaching the limit to the route to the first 429 */
  attachTo429Ms: number;
  /** from saving a looser limit in the console to the sidecar answering 200 again */
  editTo200Ms: number;
  throttled: Awaited<ReturnType<typeof echo>>;
}

/** A security admin creates a limit with the keyboard alone; once a route names it, the sidecar answers 429 with RateLimit headers. */
export async function rateLimitJourney(sys: ConsoleSystem, browser: Browser): Promise<RateLimitTimes> {
  const platform = await loginForToken(sys.admin.url, USERS.platform, PASSWORD);
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    await signIn(page, USERS.security, '/services/agents/rate-limits');
    await page.getByText('reads', { exact: true }).waitFor();
    await tabTo(page, /^New rate limit$/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^Id/);
    await page.keyboard.type('e2e-tight');
    await tabTo(page, /^endpoint/);
    await page.keyboard.press('Space');
    await tabTo(page, /^Requests$/);
    await page.keyboard.type('2');
    await tabTo(page, /^Burst/);
    await page.keyboard.type('2');
    const t0 = Date.now();
    await page.keyboard.press('Enter');
    await page.locator('tr[data-rate-limit-id="e2e-tight"]').waitFor();
    expect(await page.locator('tr[data-rate-limit-id="e2e-tight"]').innerText()).toMatch(/client \+ endpoint[\s\S]*2 per 60 s[\s\S]*none: not enforced yet/);

    // Routes are the platform engineer's (the security admin cannot edit them): they attach the limit to debug-echo.
    const route = await fetch(`${sys.admin.url}/api/v1/services/agents/routes/debug-echo`, { headers: { authorization: `Bearer ${platform}` } });
    const { definition, version } = (await route.json()) as { definition: { rateLimits: string[] }; version: number };
    const t1 = Date.now();
    const put = await fetch(`${sys.admin.url}/api/v1/services/agents/routes/debug-echo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${platform}`, 'content-type': 'application/json', 'if-match': `"v${version}"` },
      body: JSON.stringify({ ...definition, rateLimits: [...definition.rateLimits, 'e2e-tight'] }),
    });
    expect(put.status).toBe(200);
    let throttled: Awaited<ReturnType<typeof echo>> | undefined;
    const attachTo429Ms = await within(1000, async () => (throttled = await echo(sys)).status, 429);
    const createTo429Ms = Date.now() - t0;
    expect(Date.now() - t1).toBeLessThan(1000);

    // The console shows the route now using it; a looser limit saved in the console is enforced as fast.
    await page.reload();
    await expect.poll(() => page.locator('tr[data-rate-limit-id="e2e-tight"]').innerText()).toContain('debug-echo');
    await page.getByRole('button', { name: 'Edit rate limit e2e-tight' }).click();
    const form = page.getByRole('form', { name: 'Edit rate limit e2e-tight' });
    await form.getByLabel('Requests', { exact: true }).fill('1000');
    await form.getByLabel('Burst', { exact: true }).fill('1000');
    const t2 = Date.now();
    await form.getByRole('button', { name: 'Save rate limit' }).click();
    const editTo200Ms = await within(1000, async () => (await echo(sys)).status, 200);
    expect(Date.now() - t2).toBeLessThan(1000);
    return { createTo429Ms, attachTo429Ms, editTo200Ms, throttled: throttled! };
  } finally {
    await ctx.close();
  }
}

/** The owner creates a platform engineer in the console; they sign in and see exactly their role's controls. */
export async function adminUserJourney(sys: ConsoleSystem, browser: Browser): Promise<void> {
  const owner = await newContext(browser, sys.admin.url);
  const page = await owner.newPage();
  try {
    await signIn(page, USERS.owner, '/admin-users');
    const form = page.getByRole('form', { name: 'Create an admin user' });
    await form.getByLabel('Username').fill('e2e-platform');
    await form.getByLabel('Password', { exact: true }).fill('short');
    await form.getByRole('button', { name: 'Create admin user' }).click();
    await form.getByText('At least 12 characters (5 now)').waitFor();
    await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await form.getByRole('button', { name: /Admin role/ }).click();
    await page.getByRole('option', { name: 'platform engineer' }).click();
    await form.getByRole('button', { name: 'Create admin user' }).click();
    await page.getByText('Admin user e2e-platform created').waitFor();
    await expect.poll(() => page.locator('tr[data-admin-user="e2e-platform"]').innerText()).toContain('platform engineer');
  } finally {
    await owner.close();
  }
  const ctx = await newContext(browser, sys.admin.url);
  const me = await ctx.newPage();
  try {
    await signIn(me, 'e2e-platform', '/services/agents/rate-limits');
    await me.locator('tr[data-rate-limit-id="reads"]').waitFor();
    // Read-only where the role may not write; the write controls of their own area are there.
    expect(await me.getByRole('button', { name: 'New rate limit' }).count()).toBe(0);
    expect(await me.getByRole('button', { name: /^(Edit|Delete) rate limit/ }).count()).toBe(0);
    expect(await me.getByRole('link', { name: 'Admin users' }).count()).toBe(0);
    expect(await me.getByRole('link', { name: 'Access logs' }).count()).toBe(0);
    await me.getByRole('link', { name: 'API keys' }).click();
    await me.getByRole('heading', { name: 'Keys', exact: true }).waitFor();
    expect(await me.getByRole('form', { name: 'Create an API key' }).count()).toBe(0);
    await me.getByRole('link', { name: 'Routes & upstreams' }).click();
    await me.getByRole('form', { name: 'Create a route' }).waitFor();
    await me.goto('/admin-users');
    await me.getByText('Only an owner manages admin users').waitFor();
    expect(await me.getByRole('form', { name: 'Create an admin user' }).count()).toBe(0);
  } finally {
    await ctx.close();
  }
}

/** A security admin creates an access token, copies it, calls the admin API with it as a bearer token, revokes it. */
export async function accessTokenJourney(sys: ConsoleSystem, browser: Browser): Promise<{ revokeMs: number }> {
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  const bearer = (token: string, path: string, init: RequestInit = {}) =>
    fetch(sys.admin.url + path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
  try {
    await signIn(page, USERS.security, '/tokens');
    const form = page.getByRole('form', { name: 'Create an access token' });
    await form.getByLabel('Name').fill('e2e script');
    await form.getByLabel('Expires in (days)').fill('0');
    await form.getByRole('button', { name: 'Create token' }).click();
    await form.getByText('Between 1 and 365 days').waitFor();
    await form.getByLabel('Expires in (days)').fill('7');
    await form.getByRole('button', { name: 'Create token' }).click();
    const shown = (await page.getByTestId('secret-value').textContent())!;
    expect(shown).toMatch(/^agc_pat_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied').waitFor();
    const token = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(token).toBe(shown);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret-value').count()).toBe(0);

    // The token acts as its owner, with their role: reads and security writes, not platform writes.
    const services = await bearer(token, '/api/v1/services');
    expect(services.status).toBe(200);
    const principal = await bearer(token, '/api/v1/principals', { method: 'POST', body: JSON.stringify({ id: 'svc-by-pat', kind: 'service-account', displayName: 'made with a PAT' }) });
    expect(principal.status).toBe(201);
    const platformWrite = await bearer(token, '/api/v1/services', { method: 'POST', body: JSON.stringify({ name: 'not-mine' }) });
    expect(platformWrite.status).toBe(403);

    await page.reload();
    const row = page.locator('tr', { hasText: 'e2e script' });
    await expect.poll(() => row.innerText()).not.toMatch(/never\s*Revoke/);
    await page.getByRole('button', { name: 'Revoke token e2e script' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke token' }).click();
    const t0 = Date.now();
    const revokeMs = await within(1000, async () => (await bearer(token, '/api/v1/services')).status, 401);
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect.poll(() => row.count()).toBe(0);
    return { revokeMs };
  } finally {
    await ctx.close();
  }
}

/** The three pages as the owner in one colour scheme (the rate-limit form open): screenshots and axe-core. */
export async function adminPagesTour(sys: ConsoleSystem, browser: Browser, scheme: 'light' | 'dark') {
  const ctx = await newContext(browser, sys.admin.url, scheme);
  const page = await ctx.newPage();
  const out = { screenshots: [] as string[], violations: {} as Record<string, unknown[]> };
  try {
    await signIn(page, USERS.owner);
    const pages = [
      { name: 'rate-limits', path: '/services/agents/rate-limits', ready: async () => page.getByRole('button', { name: 'New rate limit' }).click() },
      { name: 'admin-users', path: '/admin-users', ready: async () => page.locator('tr[data-admin-user="admin"]').waitFor() },
      { name: 'tokens', path: '/tokens', ready: async () => page.getByRole('heading', { name: 'Tokens', exact: true }).waitFor() },
    ];
    for (const p of pages) {
      await page.goto(p.path);
      await p.ready();
      await expect.poll(() => page.getByText(/^Loading/).count()).toBe(0);
      out.screenshots.push(await screenshot(page, p.name, scheme));
      const issues = await seriousViolations(page);
      if (issues.length) out.violations[`${p.name}/${scheme}`] = issues;
    }
    return out;
  } finally {
    await ctx.close();
  }
}
