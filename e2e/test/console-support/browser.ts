/**
 * Debian's Chromium driven by playwright-core for the console tests: one browser, a fresh context per
 * user (light or dark), sign-in, screenshots into e2e/.artifacts/, and an axe-core scan.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './console-system.js';

/** Where screenshots and downloads go (gitignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../.artifacts/', import.meta.url));
mkdirSync(ARTIFACTS, { recursive: true });

/** Launches headless Chromium with the flags this machine needs (playwright gives it a fresh temporary profile). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh context (no cookies) on `baseURL`, in the given colour scheme, with clipboard access and downloads. */
export async function newContext(browser: Browser, baseURL: string, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL, colorScheme, acceptDownloads: true, viewport: { width: 1280, height: 860 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  return ctx;
}

/** Signs in through the sign-in page and waits for the shell. */
export async function signIn(page: Page, username: string, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText(`Signed in as ${username}`).waitFor();
}

/** Writes `<name>-<scheme>.png` under the artifacts folder. */
export async function screenshot(page: Page, name: string, scheme: 'light' | 'dark'): Promise<string> {
  const file = join(ARTIFACTS, `${name}-${scheme}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core violations of impact serious or critical on the current page (WCAG 2.x A/AA rules). */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}
