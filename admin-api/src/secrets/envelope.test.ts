import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, generateMasterKey, isEncrypted, keyIdOf, masterKeyFrom, reencryptIfStale, SecretDecryptionError, type KeyRing } from './envelope.js';
import { ensureDemoKeyFile, loadKeyRing } from './key-ring.js';

const ring = (): KeyRing => ({ current: masterKeyFrom(randomBytes(32)), previous: [] });

describe('envelope encryption (AES-256-GCM)', () => {
  it('round-trips, hides the plaintext, and never repeats a ciphertext', () => {
    const r = ring();
    const a = encryptSecret(r, 'bind-password-ß', 'identity-provider/corp');
    const b = encryptSecret(r, 'bind-password-ß', 'identity-provider/corp');
    expect(isEncrypted(a) && a !== b).toBe(true);
    expect(a).not.toContain('bind-password');
    expect(keyIdOf(a)).toBe(r.current.id);
    expect(decryptSecret(r, a, 'identity-provider/corp')).toBe('bind-password-ß');
  });

  it('refuses another context, a tampered value, and an unknown key', () => {
    const r = ring();
    const c = encryptSecret(r, 's3cret', 'identity-provider/a');
    expect(() => decryptSecret(r, c, 'identity-provider/b')).toThrow(SecretDecryptionError);
    const parts = c.split(':');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1;
    expect(() => decryptSecret(r, [...parts.slice(0, 4), body.toString('base64url')].join(':'), 'identity-provider/a')).toThrow(/does not decrypt/);
    expect(() => decryptSecret(ring(), c, 'identity-provider/a')).toThrow(new RegExp(`key ${r.current.id}, which is not configured`));
  });

  it('rotation: a new current key with the old one as previous opens and re-encrypts old values', () => {
    const old = ring();
    const c = encryptSecret(old, 'client-secret', 'ctx');
    const rotated: KeyRing = { current: masterKeyFrom(randomBytes(32)), previous: [old.current] };
    const again = reencryptIfStale(rotated, c, 'ctx');
    expect(again && keyIdOf(again)).toBe(rotated.current.id);
    expect(again && decryptSecret({ current: rotated.current, previous: [] }, again, 'ctx')).toBe('client-secret');
    expect(reencryptIfStale(rotated, again ?? '', 'ctx')).toBeUndefined();
  });
});

describe('key ring from the environment', () => {
  it('reads AGENTCORE_SECRET_KEY, a key file and previous keys; no key → undefined', () => {
    const k = generateMasterKey();
    expect(loadKeyRing({})).toBeUndefined();
    expect(loadKeyRing({ AGENTCORE_SECRET_KEY: k })?.current.id).toBe(masterKeyFrom(Buffer.from(k, 'base64')).id);
    const dir = mkdtempSync(join(tmpdir(), 'agc-key-'));
    const file = ensureDemoKeyFile(join(dir, 'sub', 'secret.key'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const fromFile = loadKeyRing({ AGENTCORE_SECRET_KEY_FILE: file, AGENTCORE_SECRET_KEYS_PREVIOUS: k });
    expect(fromFile?.current.id).toBe(masterKeyFrom(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).id);
    expect(fromFile?.previous).toHaveLength(1);
  });

  it('explains a bad key', () => {
    expect(() => loadKeyRing({ AGENTCORE_SECRET_KEY: 'c2hvcnQ=' })).toThrow(/exactly 32 bytes, got 5.*openssl rand -base64 32/);
    expect(() => loadKeyRing({ AGENTCORE_SECRET_KEY: 'not base64 !' })).toThrow(/must be base64/);
    expect(() => loadKeyRing({ AGENTCORE_SECRET_KEY_FILE: '/nonexistent/key' })).toThrow(/cannot read \/nonexistent\/key/);
    expect(() => loadKeyRing({ AGENTCORE_SECRET_KEYS_PREVIOUS: generateMasterKey() })).toThrow(/no current key/);
    const dir = mkdtempSync(join(tmpdir(), 'agc-key-'));
    writeFileSync(join(dir, 'k'), 'x');
    expect(() => loadKeyRing({ AGENTCORE_SECRET_KEY: generateMasterKey(), AGENTCORE_SECRET_KEY_FILE: join(dir, 'k') })).toThrow(/not both/);
  });
});
