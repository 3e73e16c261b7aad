/**
 * The content hash of a policy bundle: `sha256:` + hex SHA-256 of its canonical JSON without `hash`. Sidecars
 * report it, and it tells two publishes of the same content apart from a real change.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json.js';

// Re-exported so the package index (which lists this module) also offers the canonical serialiser.
export { canonicalJson } from './canonical-json.js';

/** Lower-case hex SHA-256 (FIPS 180-4) of the UTF-8 encoding of `text`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** `sha256:` + sha256Hex(canonicalJson(bundle without its `hash` property)); throws TypeError on non-JSON content. */
export function bundleHash(bundle: object): string {
  if (Array.isArray(bundle)) throw new TypeError('a bundle is a JSON object, not an array');
  const { hash: _hash, ...content } = bundle as Record<string, unknown>;
  return `sha256:${sha256Hex(canonicalJson(content))}`;
}

/** A copy of the bundle with `hash` set to its `bundleHash` (any previous `hash` replaced). */
export function withBundleHash<T extends object>(bundle: T): T & { hash: string } {
  return { ...bundle, hash: bundleHash(bundle) };
}
