/** Fast non-cryptographic string hashing for the consistent-hash ring (no dependency). */

/**
 * FNV-1a 32 over UTF-16 code units, then MurmurHash3's `fmix32` finaliser: FNV-1a alone mixes
 * short suffixes (`a#1`, `a#2`) poorly, which clusters ring points; the finaliser spreads them.
 * http://www.isthe.com/chongo/tech/comp/fnv/ — https://github.com/aappleby/smhasher (fmix32)
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
