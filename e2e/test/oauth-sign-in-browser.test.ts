/**
 * The authorization code flow's sign-in page in a real browser (Chromium, no script on the page): the
 * CSRF cookie, the form post, the CSP's form-action and the 303 to the client's redirect URI all have to
 * work together; oauth4webapi then redeems the code the browser brought back.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import * as oauth from 'oauth4webapi';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { adminClient, loginForToken } from '../src/seed-demo.js';

const PASSWORD = 'correct horse battery staple';
const http = { [oauth.allowInsecureRequests]: true } as const;
let admin: AdminHandle;
let app: Server;
let redirect: string;
let browser: Browser;
let as: oauth.AuthorizationServer;
const client: oauth.Client = { client_id: 'spa' };

beforeAll(async () => {
  const c = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', 'sqlite::memory:', '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad admin config');
  admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  // The "app" behind the redirect URI: just answers so the browser lands somewhere.
  app = await new Promise<Server>((resolve) => {
    const s = createServer((_req, res) => res.end('app')).listen(0, '127.0.0.1', () => resolve(s));
  });
  redirect = `http://127.0.0.1:${(app.address() as AddressInfo).port}/cb`;
  const call = adminClient(admin.url, await loginForToken(admin.url, 'admin', PASSWORD));
  await call('POST', '/api/v1/services', { name: 'agents' });
  await call('POST', '/api/v1/oauth-clients', { id: 'spa', name: 'SPA', type: 'public', grants: ['authorization_code'], redirectUris: [redirect], scopes: ['agents.read'], audiences: ['agents'] });
  const issuer = new URL(admin.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives every launch a fresh temporary profile (its own --user-data-dir)
    headless: true,
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => app?.close(r));
  await admin?.close();
});

describe('sign-in page in Chromium', () => {
  it('signs in and lands on the redirect URI with a code that redeems', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const url = new URL(as.authorization_endpoint!);
    for (const [k, v] of Object.entries({ client_id: 'spa', redirect_uri: redirect, response_type: 'code', scope: 'agents.read', state, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(url.href);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('wrong');
    await page.getByLabel('Password').fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.href.startsWith(redirect)), page.getByRole('button', { name: 'Sign in' }).click()]);
    const back = new URL(page.url());
    const params = oauth.validateAuthResponse(as, client, back, state);
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirect, verifier, http));
    expect(tokens.access_token.split('.')).toHaveLength(3);
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);
});
