import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/index.js';
import { OidcConfig } from './oidc-config.js';
import { safeReturnPath, startOidcLogin } from './oidc-login.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

describe('OIDC login start', () => {
  const cfg = OidcConfig.parse({ issuer: 'https://idp.example.com', clientId: 'gw' });
  const as = { issuer: 'https://idp.example.com', authorization_endpoint: 'https://idp.example.com/authorize' };

  it('bounds the pending logins (the start endpoint is public); expired ones make room again', async () => {
    store = await openStore('sqlite::memory:');
    const start = (now: number) => startOidcLogin(store as Store, 'kc', cfg, as, 'https://admin.example.com/cb', '/', now, 3);
    for (let i = 0; i < 3; i++) expect(new URL(await start(0)).searchParams.get('code_challenge_method')).toBe('S256');
    await expect(start(1)).rejects.toMatchObject({ status: 503, headers: { 'retry-after': '60' } });
    expect(await start(10 * 60_000 + 1)).toMatch(/^https:\/\/idp\.example\.com\/authorize\?/);
  });

  it('only same-origin paths are return targets', () => {
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)', '', undefined, '/a b']) expect(safeReturnPath(bad)).toBe('/');
    expect(safeReturnPath('/console/services?x=1')).toBe('/console/services?x=1');
  });
});
