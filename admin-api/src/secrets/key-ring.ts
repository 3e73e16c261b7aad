/**
 * Where the master key comes from: `AGENTCORE_SECRET_KEY` (base64 of 32 bytes) or
 * `AGENTCORE_SECRET_KEY_FILE` (a file holding the same), plus `AGENTCORE_SECRET_KEYS_PREVIOUS`
 * (comma-separated base64 keys still accepted for decryption while rotating).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateMasterKey, masterKeyFrom, type KeyRing, type MasterKey } from './envelope.js';

function parseKey(text: string, where: string): MasterKey {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) throw new Error(`${where}: must be base64 of 32 random bytes (make one with: openssl rand -base64 32)`);
  const raw = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (raw.length !== 32) throw new Error(`${where}: must decode to exactly 32 bytes, got ${raw.length} (make one with: openssl rand -base64 32)`);
  return masterKeyFrom(raw);
}

/** The key ring from the environment; undefined when no key is configured; throws a clear message on a bad key. */
export function loadKeyRing(env: Record<string, string | undefined>): KeyRing | undefined {
  const inline = env.AGENTCORE_SECRET_KEY?.trim();
  const file = env.AGENTCORE_SECRET_KEY_FILE?.trim();
  if (inline && file) throw new Error('set AGENTCORE_SECRET_KEY or AGENTCORE_SECRET_KEY_FILE, not both');
  let current: MasterKey | undefined;
  if (inline) current = parseKey(inline, 'AGENTCORE_SECRET_KEY');
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`AGENTCORE_SECRET_KEY_FILE: cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    current = parseKey(text, `AGENTCORE_SECRET_KEY_FILE (${file})`);
  }
  const previousText = env.AGENTCORE_SECRET_KEYS_PREVIOUS?.trim();
  const previous = previousText ? previousText.split(',').map((k, i) => parseKey(k, `AGENTCORE_SECRET_KEYS_PREVIOUS[${i}]`)) : [];
  if (!current) {
    if (previous.length > 0) throw new Error('AGENTCORE_SECRET_KEYS_PREVIOUS is set but no current key (AGENTCORE_SECRET_KEY or AGENTCORE_SECRET_KEY_FILE)');
    return undefined;
  }
  return { current, previous: previous.filter((k) => k.id !== current.id) };
}

/** For `npm start` and demos: creates a key file (mode 0600) if missing, and returns its path. */
export function ensureDemoKeyFile(path: string): string {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, generateMasterKey() + '\n', { mode: 0o600 });
  }
  chmodSync(path, 0o600);
  return path;
}
