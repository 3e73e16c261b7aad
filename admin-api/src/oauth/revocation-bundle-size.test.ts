/**
 * The cost of revocation lists in bundles: 10,000 revoked, unexpired tokens of one service, compiled;
 * prints the bundle size with and without them (see docs/oauth.md), and checks expired ones drop out.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileBundle } from '../bundles/index.js';
import { oauthDb } from '../store/oauth-tables.js';
import { startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('revoked tokens in the bundle', () => {
  let t: OAuthTestEnv;
  beforeAll(async () => {
    t = await startOAuthTestEnv();
    await t.createClient({ id: 'c', name: 'c', type: 'confidential', grants: ['client_credentials'], audiences: ['agents'] });
  });
  afterAll(async () => t?.close());

  it('lists 10,000 revocations until they expire, and reports the size', async () => {
    const now = Date.now();
    const size = async (at: number) => {
      const b = await compileBundle(t.admin.store, 'agents', at);
      if (!b.ok) throw new Error(JSON.stringify(b.issues));
      return { bytes: Buffer.byteLength(JSON.stringify(b.bundle)), revoked: b.bundle.authentication.revokedTokens.length, issuer: b.bundle.authentication.jwt.find((j) => j.id === 'agentcore-control-plane') };
    };
    const empty = await size(now);
    expect(empty.revoked).toBe(0);
    expect(empty.issuer).toMatchObject({ issuer: t.admin.url, audiences: ['agents'], tokenType: 'at+jwt', algorithms: ['ES256'] });
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      jti: randomUUID(), kind: 'access' as const, client_id: 'c', subject: 'c', audience: 'agents', scope: '', family_id: randomUUID(), token_sha256: null, info: '{}',
      created_at: now, expires_at: now + (i < 9_000 ? 600_000 : 60_000), rotated_at: null, revoked_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await oauthDb(t.admin.store).insertInto('oauth_tokens').values(rows.slice(i, i + 500)).execute();
    const t0 = performance.now();
    const full = await size(now);
    const compileMs = performance.now() - t0;
    expect(full.revoked).toBe(10_000);
    const later = await size(now + 120_000);
    expect(later.revoked).toBe(9_000);
    console.log(`bundle of service agents: ${empty.bytes} B without revocations, ${full.bytes} B with 10,000 (+${((full.bytes - empty.bytes) / 10_000).toFixed(1)} B each), compiled in ${compileMs.toFixed(0)} ms`);
    expect(full.bytes - empty.bytes).toBeLessThan(10_000 * 80);
  }, 60_000);
});
