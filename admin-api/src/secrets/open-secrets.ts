/**
 * Start-up of secrets at rest, before anything reads a secret: load the key ring (AGENTCORE_SECRET_KEY /
 * AGENTCORE_SECRET_KEY_FILE / AGENTCORE_SECRET_KEYS_PREVIOUS), encrypt values still in clear, and refuse to start
 * when encrypted values exist that the configured keys cannot open. Rotation (re-encrypting under the current key
 * the values written with a previous one) runs here too, so a restart with a new key finishes it.
 */
import type { Logger } from 'pino';
import type { Queryable } from '../store/queryable.js';
import type { KeyRing } from './envelope.js';
import { loadKeyRing } from './key-ring.js';
import { assertSecretsReadable, countClearSecrets, encryptClearSecrets, rotateSecrets } from './stored-secrets.js';

/** The key ring, or undefined when none is configured; throws an Error saying what to set when stored secrets cannot be opened. */
export async function openSecrets(q: Queryable, env: Record<string, string | undefined>, log: Logger): Promise<KeyRing | undefined> {
  const ring = loadKeyRing(env);
  await assertSecretsReadable(q, ring);
  if (!ring) {
    const clear = await countClearSecrets(q);
    if (clear > 0) log.warn({ clear }, 'no AGENTCORE_SECRET_KEY: signing keys (bundles, OAuth tokens) are stored in clear; set a key to encrypt them at rest');
    return undefined;
  }
  const encrypted = await encryptClearSecrets(q, ring);
  const rotated = ring.previous.length > 0 ? await rotateSecrets(q, ring) : 0;
  if (encrypted + rotated > 0) log.info({ encrypted, rotated, key_id: ring.current.id }, 'secrets at rest: encrypted under the current key');
  return ring;
}
