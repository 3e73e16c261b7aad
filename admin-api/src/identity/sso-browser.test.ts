// Console SSO in a real browser (Chromium via playwright-core), cross-site like production: the admin API
// at http://localhost, the IdP (oidc-provider) at http://127.0.0.1 — two different sites, so the
// SameSite=Strict session cookie is set on a cross-site redirect and must still work for the console.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../../test/support/oidc-idp.js';
import { createAuth } from '../auth/index.js';
import { masterKeyFrom } from '../secrets/envelope.js';
import { insertIdentityProvider } from '../store/identity-providers-repo.js';
import { encryptSecret } from '../secrets/envelope.js';
import { providerSecretContext } from '../secrets/stored-secrets.js';
import { ssoEndpoints } from './sso-endpoints.js';
import { startIdentityServer, type IdentityTestServer } from './test-identity-server.js';

const CHROMIUM = '/usr/bin/chromium';
const ring = { current: masterKeyFrom(randomBytes(32)), previous: [] };
let srv: IdentityTestServer;
let idp: TestIdp;
let browser: BrowserContext;
let profile: string;
const publicBase = () => srv.base.replace('127.0.0.1', 'localhost');

describe.skipIf(!existsSync(CHROMIUM))('console SSO in Chromium, cross-site', () => {
  beforeAll(async () => {
    srv = await startIdentityServer(async (store, base) => {
      const auth = await createAuth(store, { log: pino({ level: 'silent' }), secureCookies: false });
      const sso = ssoEndpoints({ store, keyRing: ring, publicUrl: () => base().replace('127.0.0.1', 'localhost'), sessionTtlMs: 3_600_000, secureCookies: false });
      return { guard: auth.guard, endpoints: [...auth.endpoints, ...sso] };
    });
    idp = await startTestIdp(`${publicBase()}/api/v1/sso/kc/callback`);
    idp.users = { alice: { groups: ['gw-security'] } };
    const config = { issuer: idp.issuer, clientId: idp.clientId, mapping: { roles: {}, adminRoles: { 'gw-security': ['security-admin'] } } };
    await insertIdentityProvider(srv.store, 'kc', { type: 'oidc', displayName: 'Keycloak', enabled: true, domains: [], config, secret: encryptSecret(ring, idp.clientSecret, providerSecretContext('kc')) }, Date.now());
    profile = mkdtempSync(join(tmpdir(), 'agentcore-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await srv?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('from the start URL to a signed-in session with the mapped role', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${publicBase()}/api/v1/sso/kc/start?returnTo=/console/`);
      await page.waitForURL(`${publicBase()}/console/`, { timeout: 20_000 });
      const cookies = await browser.cookies(publicBase());
      const session = cookies.find((c) => c.name === 'agentcore_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      // The console's first call (same-site fetch) carries the Strict cookie.
      const who = await page.evaluate(async () => (await fetch('/api/v1/session')).json());
      expect(who).toMatchObject({ username: 'sso:kc:alice', role: 'security-admin', via: 'session' });
    } finally {
      await page.close();
    }
  }, 60_000);
});
