/**
 * Envelope encryption of secrets at rest (AES-256-GCM): each secret gets a fresh 256-bit data key;
 * the data key is wrapped by the master key; the master key's id travels in the ciphertext, so a
 * rotated key ring can still open old values and re-encrypt them.
 *
 * Format (one ASCII string, safe in a text column):
 *   `agcenc:v1:<kid>:<iv|tag|wrapped data key>:<iv|tag|ciphertext>` (the last two base64url)
 * The caller's `context` (e.g. `identity-provider/corp-ldap`) is authenticated data of both layers,
 * so a ciphertext copied to another row does not decrypt there.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'agcenc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** A master key and its id (the first 8 bytes of its SHA-256, hex: not secret, identifies the key). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** The keys that can open secrets: `current` encrypts, every key (current and previous) decrypts. */
export interface KeyRing {
  current: MasterKey;
  previous: readonly MasterKey[];
}

/** A ciphertext that cannot be opened: unknown key id, tampered, or wrong context. Carries no secret. */
export class SecretDecryptionError extends Error {
  constructor(
    message: string,
    readonly keyId?: string,
  ) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/** Wraps 32 raw bytes as a master key; anything else is refused. */
export function masterKeyFrom(raw: Buffer): MasterKey {
  if (raw.length !== KEY_BYTES) throw new Error(`a secret key must be exactly ${KEY_BYTES} bytes, got ${raw.length}`);
  return { id: createHash('sha256').update(raw).digest('hex').slice(0, 16), key: Buffer.from(raw) };
}

/** A fresh random master key, base64 (what `AGENTCORE_SECRET_KEY` holds). */
export const generateMasterKey = (): string => randomBytes(KEY_BYTES).toString('base64');

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES)).setAAD(aad);
  d.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([d.update(sealed.subarray(IV_BYTES + TAG_BYTES)), d.final()]);
}

const aadOf = (kid: string, context: string, layer: 'dek' | 'data'): Buffer => Buffer.from(`${PREFIX}${kid}:${layer}:${context}`, 'utf8');

/** Encrypts `plaintext` under the ring's current key, bound to `context`. */
export function encryptSecret(ring: KeyRing, plaintext: string, context: string): string {
  const { id, key } = ring.current;
  const dek = randomBytes(KEY_BYTES);
  try {
    const wrapped = seal(key, dek, aadOf(id, context, 'dek'));
    const data = seal(dek, Buffer.from(plaintext, 'utf8'), aadOf(id, context, 'data'));
    return `${PREFIX}${id}:${wrapped.toString('base64url')}:${data.toString('base64url')}`;
  } finally {
    dek.fill(0);
  }
}

/** Whether a stored value is one of our ciphertexts. */
export const isEncrypted = (value: string): boolean => value.startsWith(PREFIX);

/** The master key id a ciphertext was made with. */
export function keyIdOf(ciphertext: string): string {
  if (!isEncrypted(ciphertext)) throw new SecretDecryptionError('not an encrypted secret');
  return ciphertext.slice(PREFIX.length).split(':')[0] ?? '';
}

/** Decrypts a value made by encryptSecret with the same context; throws SecretDecryptionError otherwise. */
export function decryptSecret(ring: KeyRing, ciphertext: string, context: string): string {
  const kid = keyIdOf(ciphertext);
  const parts = ciphertext.slice(PREFIX.length).split(':');
  if (parts.length !== 3) throw new SecretDecryptionError('malformed encrypted secret', kid);
  const master = [ring.current, ...ring.previous].find((k) => k.id === kid);
  if (!master) throw new SecretDecryptionError(`the secret was encrypted with key ${kid}, which is not configured (AGENTCORE_SECRET_KEY / AGENTCORE_SECRET_KEYS_PREVIOUS)`, kid);
  let dek: Buffer | undefined;
  try {
    dek = open(master.key, Buffer.from(parts[1] ?? '', 'base64url'), aadOf(kid, context, 'dek'));
    return open(dek, Buffer.from(parts[2] ?? '', 'base64url'), aadOf(kid, context, 'data')).toString('utf8');
  } catch {
    throw new SecretDecryptionError(`the secret (key ${kid}) does not decrypt: tampered, or stored for another object`, kid);
  } finally {
    dek?.fill(0);
  }
}

/** Re-encrypts under the current key when made with another one; undefined when already current. */
export function reencryptIfStale(ring: KeyRing, ciphertext: string, context: string): string | undefined {
  if (keyIdOf(ciphertext) === ring.current.id) return undefined;
  return encryptSecret(ring, decryptSecret(ring, ciphertext, context), context);
}
