import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptSecret, generateMasterKey, masterKeyFrom } from '../secrets/envelope.js';
import { providerSecretContext } from '../secrets/stored-secrets.js';
import { openStore, type Store } from '../store/index.js';
import { insertIdentityProvider } from '../store/identity-providers-repo.js';
import { createIdentity } from './index.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

describe('createIdentity (start-up)', () => {
  it('starts without a key on an empty store, and refuses to start when encrypted secrets exist but no key is given', async () => {
    store = await openStore('sqlite::memory:');
    const base = { store, publicUrl: () => 'http://127.0.0.1:7070', secureCookies: false };
    const ok = await createIdentity({ ...base, env: {} });
    expect(ok.keyRing).toBeUndefined();
    expect(ok.endpoints.map((e) => `${e.method} ${e.path}`)).toContain('get /api/v1/sso/{provider}/callback');
    await ok.close();

    const key = generateMasterKey();
    const ring = { current: masterKeyFrom(Buffer.from(key, 'base64')), previous: [] };
    await insertIdentityProvider(store, 'corp', { type: 'ldap', displayName: 'c', enabled: true, domains: [], config: {}, secret: encryptSecret(ring, 'pw', providerSecretContext('corp')) }, Date.now());
    await expect(createIdentity({ ...base, env: {} })).rejects.toThrow(/encrypted secret\(s\) in identity_providers.secret but no secret key is configured/);
    await expect(createIdentity({ ...base, env: { AGENTCORE_SECRET_KEY: randomBytes(32).toString('base64') } })).rejects.toThrow(/not configured/);
    await expect(createIdentity({ ...base, env: { AGENTCORE_SECRET_KEY: 'short' } })).rejects.toThrow(/32 bytes/);
    const withKey = await createIdentity({ ...base, env: { AGENTCORE_SECRET_KEY: key } });
    expect(withKey.keyRing?.current.id).toBe(ring.current.id);
    await withKey.close();
  });
});
