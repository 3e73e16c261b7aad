// Console single sign-on from the console's own sign-in page, in Chromium, against the assembled admin API
// (startAdmin: the built console at /, identity providers managed through /api/v1/identity-providers) and a
// real OpenID Provider (oidc-provider). Cross-site like production: the admin API at http://localhost, the IdP
// at http://127.0.0.1. A user whose groups map to no console role lands back on the sign-in page with a message.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';
import { startTestIdp, type TestIdp } from './support/oidc-idp.js';

const CHROMIUM = '/usr/bin/chromium';
const CONSOLE_BUILT = existsSync(fileURLToPath(new URL('../../admin-ui/dist/index.html', import.meta.url)));
const PASSWORD = 'correct horse battery staple';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let admin: AdminHandle;
let idp: TestIdp;
let browser: BrowserContext;
let dir: string;
let base: string;

describe.skipIf(!existsSync(CHROMIUM) || !CONSOLE_BUILT)("SSO from the console's sign-in button", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentcore-sso-console-'));
    const port = await freePort();
    base = `http://localhost:${port}`;
    const c = loadConfig(['--listen', `127.0.0.1:${port}`, '--public-url', base, '--database', `sqlite:${join(dir, 'a.db')}`, '--log-level', 'warn'], {});
    if (!c.ok) throw new Error('bad admin config');
    const env = { AGENTCORE_ADMIN_PASSWORD: PASSWORD, AGENTCORE_SECRET_KEY: randomBytes(32).toString('base64') };
    admin = await startAdmin(c.config, { env, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
    idp = await startTestIdp(`${base}/api/v1/sso/kc/callback`);
    idp.users = { alice: { groups: ['gw-security'] }, bob: { groups: ['marketing'] } };

    // The owner configures the provider through the API, as the console's identity page would.
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.get('set-cookie')!.split(';', 1)[0]!;
    const created = await fetch(`${base}/api/v1/identity-providers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({
        id: 'kc',
        type: 'oidc',
        displayName: 'Keycloak',
        config: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, mapping: { adminRoles: { 'gw-security': ['security-admin'] } } },
      }),
    });
    expect(created.status).toBe(201);

    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await admin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the mapped admin role and lands on the page asked for', async () => {
    idp.nextUser = 'alice';
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/sign-in?next=${encodeURIComponent('/audit')}`);
      await page.getByRole('link', { name: 'Sign in with Keycloak' }).click();
      await page.waitForURL(`${base}/audit`, { timeout: 20_000 });
      await page.getByText('Signed in as').waitFor();
      expect(await page.locator('header strong').first().textContent()).toBe('sso:kc:alice');
      expect(await page.getByText('security-admin', { exact: true }).count()).toBeGreaterThan(0);
    } finally {
      await page.close();
      await browser.clearCookies();
    }
  }, 60_000);

  it('refuses a user with no mapped role, back on the sign-in page with a clear message', async () => {
    idp.nextUser = 'bob';
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/sign-in`);
      await page.getByRole('link', { name: 'Sign in with Keycloak' }).click();
      await page.waitForURL(/\/sign-in\?sso_error=NO_ROLE/, { timeout: 20_000 });
      await page.getByRole('alert').filter({ hasText: 'none of your groups maps to a console role' }).waitFor();
      expect((await browser.cookies(base)).some((c) => c.name === 'agentcore_session')).toBe(false);
    } finally {
      await page.close();
    }
  }, 60_000);
});
