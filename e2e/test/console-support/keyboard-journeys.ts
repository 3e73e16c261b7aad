/** Journey 1 with the keyboard alone, and a session that expires mid-work (sign in again, land back where you were). */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { newContext, signIn } from './browser.js';
import { PASSWORD, sidecarStatus, USERS, within, type ConsoleSystem } from './console-system.js';

/** The accessible-ish name of the focused element: aria-label, its label's text, or its own text. */
const focusedName = (page: Page): Promise<string> =>
  page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el) return '';
    const labelled = el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent ?? '';
    return (labelled || el.textContent || '').trim();
  })()`);

/** Presses Tab until the focused element's name matches `name` (at most `max` presses). */
async function tabTo(page: Page, name: RegExp, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (name.test(await focusedName(page))) return;
  }
  throw new Error(`Tab never reached ${name}`);
}

/** Journey 1 without a mouse: sign in, create a key, copy it, use it, revoke it. */
export async function keyboardApiKeyJourney(sys: ConsoleSystem, browser: Browser): Promise<void> {
  await sys.call('POST', '/api/v1/principals', { id: 'svc-keyboard', kind: 'service-account', displayName: 'e2e keyboard journey' });
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    await page.goto('/services/agents/api-keys');
    await page.getByLabel('Username').waitFor();
    await page.keyboard.type(USERS.security); // the username field has focus on arrival
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('form', { name: 'Create an API key' }).waitFor();
    await tabTo(page, /^Principal$/);
    await page.keyboard.type('svc-keyboard');
    await tabTo(page, /viewer/);
    await page.keyboard.press('Space');
    await tabTo(page, /^Create key$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('secret-value').waitFor();
    await tabTo(page, /^Copy$/);
    await page.keyboard.press('Enter');
    await page.getByText('Copied').waitFor();
    const secret = await page.evaluate<string>('navigator.clipboard.readText()');
    expect(secret).toBe(await page.getByTestId('secret-value').textContent());
    await within(1000, () => sidecarStatus(sys.sidecar.url, secret), 200);
    await tabTo(page, /^Done$/);
    await page.keyboard.press('Enter');

    const id = (await sys.call<{ items: { id: string; principal: string }[] }>('GET', '/api/v1/services/agents/api-keys')).body.items.find((k) => k.principal === 'svc-keyboard')!.id;
    await tabTo(page, new RegExp(`^Revoke key ${id}$`));
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    await tabTo(page, /^Revoke key$/, 5);
    await page.keyboard.press('Enter');
    await within(1000, () => sidecarStatus(sys.sidecar.url, secret), 401);
  } finally {
    await ctx.close();
  }
}

/** The session ends while a page is open: the next request sends you to sign-in, and signing in brings you back. */
export async function sessionExpiryJourney(sys: ConsoleSystem, browser: Browser): Promise<void> {
  const ctx = await newContext(browser, sys.admin.url);
  const page = await ctx.newPage();
  try {
    // Start on a page that polls nothing: the bundles page refreshes the fleet every 2 s, and that poll's 401 would
    // send the user to sign-in before the click below under a loaded CI machine (a race the test lost once).
    await signIn(page, USERS.platform, '/services/agents/config');
    await page.getByRole('heading', { name: 'Routes & upstreams of agents' }).waitFor();
    await ctx.clearCookies(); // as if the session expired
    await page.getByRole('link', { name: 'Fleet' }).click();
    await page.getByText('Your session ended. Sign in again to continue where you were.').waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/services/agents/fleet');
    await page.getByLabel('Username').fill(USERS.platform);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet of agents' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/services/agents/fleet');
  } finally {
    await ctx.close();
  }
}
