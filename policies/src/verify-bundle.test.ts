import { CompactSign, createLocalJWKSet, generateKeyPair, importJWK, type JWK } from 'jose';
import { bundleHash, canonicalJson, PolicyBundle } from './index.js';
import { describe, expect, it } from 'vitest';
// The producer and the verifier of the wire format, side by side: the contract between control plane and sidecar.
import { generateSigningKey, publicJwks, signBundle, type SigningKey } from './bundle-signing.js';
import { verifySignedBundle, type VerifyResult } from './verify-bundle.js';

const bundle = PolicyBundle.parse({ version: 1, service: 'orders', revision: 5, routes: [{ id: 'list', match: { path: '/orders' } }] });

/** Signs arbitrary payload text with arbitrary header, to build what the control plane never would. */
async function signRaw(payload: string, key: SigningKey, header: Record<string, unknown> = {}): Promise<string> {
  const priv = await importJWK(key.privateJwk, key.alg);
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'agentcore-bundle+jws', cty: 'json', ...header })
    .sign(priv);
}

function reasonOf(r: VerifyResult): string {
  return r.ok ? 'OK' : r.reason;
}

describe.each(['ES256', 'EdDSA'] as const)('round trip with %s', (alg) => {
  it('verifies a bundle signed by the control plane and returns it with its hash and kid', async () => {
    const key = await generateSigningKey(alg);
    const jws = await signBundle(bundle, key);
    const r = await verifySignedBundle(jws, createLocalJWKSet(publicJwks([key])), { service: 'orders', minRevision: 5 });
    expect(r).toEqual({ ok: true, kid: key.kid, bundle: { ...bundle, hash: bundleHash(bundle) } });
  });
});

describe('verifySignedBundle refuses', async () => {
  const key = await generateSigningKey('ES256');
  const other = await generateSigningKey('ES256');
  const keys = createLocalJWKSet(publicJwks([key]));
  const good = await signBundle(bundle, key);
  const [h, p, s] = good.split('.') as [string, string, string];
  const tamperedPayload = Buffer.from(canonicalJson({ ...bundle, revision: 6, hash: bundleHash({ ...bundle, revision: 6 }) })).toString('base64url');
  const hs256 = await new CompactSign(new TextEncoder().encode(canonicalJson({ ...bundle, hash: bundleHash(bundle) })))
    .setProtectedHeader({ alg: 'HS256', kid: key.kid, typ: 'agentcore-bundle+jws' })
    .sign(new Uint8Array(32));
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const withHash = (b: object): string => canonicalJson({ ...b, hash: bundleHash(b) });

  const cases: [string, () => Promise<string>, string, { service: string; minRevision?: number }?][] = [
    ['a tampered payload', async () => `${h}.${tamperedPayload}.${s}`, 'BAD_SIGNATURE'],
    ['a tampered signature', async () => `${h}.${p}.${s.slice(0, -4)}AAAA`, 'BAD_SIGNATURE'],
    ['garbage', async () => 'not-a-jws', 'BAD_SIGNATURE'],
    ['an algorithm outside the allowlist (HS256)', async () => hs256, 'BAD_SIGNATURE'],
    ['an unknown kid', async () => signBundle(bundle, other), 'UNKNOWN_KEY'],
    ['a missing kid', async () => signRaw(withHash(bundle), key, { kid: undefined }), 'UNKNOWN_KEY'],
    ['a wrong typ', async () => signRaw(withHash(bundle), key, { typ: 'JWT' }), 'BAD_TYPE'],
    ['a missing typ', async () => signRaw(withHash(bundle), key, { typ: undefined }), 'BAD_TYPE'],
    ['a payload that is not JSON', async () => signRaw('{nope', key), 'INVALID_BUNDLE'],
    ['a payload that is not a bundle', async () => signRaw(JSON.stringify({ version: 2 }), key), 'INVALID_BUNDLE'],
    ['a hash that does not match the content', async () => signRaw(canonicalJson({ ...bundle, hash: 'sha256:' + 'a'.repeat(64) }), key), 'HASH_MISMATCH'],
    ['a bundle without hash', async () => signRaw(canonicalJson(bundle), key), 'HASH_MISMATCH'],
    ['a bundle of another service', async () => signBundle({ ...bundle, service: 'billing' }, key), 'WRONG_SERVICE'],
    ['a lower revision than the applied one', async () => signBundle(bundle, key), 'REVISION_ROLLBACK', { service: 'orders', minRevision: 6 }],
  ];

  it.each(cases)('%s', async (_name, make, reason, expect_ = { service: 'orders', minRevision: 5 }) => {
    const r = await verifySignedBundle(await make(), keys, expect_);
    expect(reasonOf(r)).toBe(reason);
    if (!r.ok) expect(r.message).not.toBe('');
  });

  it('an RS256 key in the trusted set does not widen the allowlist', async () => {
    const rsaJwk: JWK = { ...(await import('jose').then((j) => j.exportJWK(rsa.publicKey))), kid: 'rsa', alg: 'RS256' };
    const jws = await new CompactSign(new TextEncoder().encode(withHash(bundle)))
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa', typ: 'agentcore-bundle+jws' })
      .sign(rsa.privateKey);
    const r = await verifySignedBundle(jws, createLocalJWKSet({ keys: [rsaJwk] }), { service: 'orders' });
    expect(reasonOf(r)).toBe('BAD_SIGNATURE');
  });

  it('accepts the same revision again and any revision without minRevision', async () => {
    expect(reasonOf(await verifySignedBundle(good, keys, { service: 'orders', minRevision: 5 }))).toBe('OK');
    expect(reasonOf(await verifySignedBundle(good, keys, { service: 'orders' }))).toBe('OK');
  });

  it('hashes the content as signed, before schema defaults are applied', async () => {
    const sparse = { version: 1, service: 'orders', revision: 5, routes: [{ id: 'list', match: { path: '/orders' } }] };
    const r = await verifySignedBundle(await signRaw(withHash(sparse), key), keys, { service: 'orders' });
    expect(reasonOf(r)).toBe('OK');
    if (r.ok) expect(r.bundle.roles).toEqual([]); // defaults applied to the returned bundle
  });

  it('reports a key set that throws as UNKNOWN_KEY', async () => {
    const r = await verifySignedBundle(good, async () => {
      throw new Error('JWKS endpoint down');
    }, { service: 'orders' });
    expect(r).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY', message: expect.stringContaining('JWKS endpoint down') });
  });
});
