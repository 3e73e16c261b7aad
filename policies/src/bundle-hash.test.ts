import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bundleHash, canonicalJson, sha256Hex, withBundleHash } from './bundle-hash.js';

describe('sha256Hex', () => {
  // FIPS 180-4 / NIST examples, and UTF-8 inputs checked against node:crypto.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ['é', '4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c'],
    ['日本語', '77710aedc74ecfa33685e33a6c7df5cc83004da1bdcef7fb280f5c2b2e97e0a5'],
    ['😀', 'f0443a342c5ef54783a111b51ba56c938e474c32324d90c3a60c9c8e3a37e2d9'],
  ])('%j → %s', (text, hex) => {
    expect(sha256Hex(text)).toBe(hex);
  });
});

describe('bundleHash', () => {
  const bundle = { version: 1, service: 'agents', revision: 3, routes: [{ id: 'r', permissions: ['a:b'] }], description: 'Agents — 日本' };

  it('hashes the canonical JSON', () => {
    expect(bundleHash({ a: 1 })).toBe('sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
    expect(bundleHash(bundle)).toBe(`sha256:${sha256Hex(canonicalJson(bundle))}`);
    expect(bundleHash(bundle)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('ignores the hash property and does not modify the bundle', () => {
    const stamped = { ...bundle, hash: 'sha256:' + '0'.repeat(64) };
    expect(bundleHash(stamped)).toBe(bundleHash(bundle));
    expect(stamped.hash).toBe('sha256:' + '0'.repeat(64));
  });

  it.each([
    ['revision', { ...bundle, revision: 4 }],
    ['nested value', { ...bundle, routes: [{ id: 'r', permissions: ['a:c'] }] }],
    ['array order', { ...bundle, routes: [{ id: 'r', permissions: ['a:b'] }, { id: 's', permissions: [] }] }],
    ['unicode', { ...bundle, description: 'Agents — 日本.' }],
  ])('changes with the %s', (_name, changed) => {
    expect(bundleHash(changed)).not.toBe(bundleHash(bundle));
  });

  it('is stable across key order (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(bundleHash(reversed)).toBe(bundleHash(obj));
      }),
      { numRuns: 200 },
    );
  });

  it('rejects non-JSON content', () => {
    expect(() => bundleHash({ revision: Number.NaN })).toThrow(TypeError);
    expect(() => bundleHash([1, 2])).toThrow(TypeError);
  });
});

describe('withBundleHash', () => {
  it('adds (or replaces) the hash, and the result verifies', () => {
    const b = withBundleHash({ version: 1, revision: 1, hash: 'stale' });
    expect(b.hash).toBe(bundleHash({ version: 1, revision: 1 }));
    expect(bundleHash(b)).toBe(b.hash);
    expect(withBundleHash(b)).toEqual(b);
  });
});
