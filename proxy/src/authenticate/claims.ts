/**
 * Reading principal attributes out of verified claims (JWT payloads, RFC 7662 introspection
 * answers) by the dot paths of a bundle's `ClaimMapping`, e.g. `realm_access.roles`.
 */

/** A claim path split once at bundle-load time; `path` is also tried as one literal key (namespaced claims such as `https://example.com/roles`). */
export interface ClaimPath {
  readonly path: string;
  readonly segments: readonly string[];
}

const SPACES = /\s+/;
const EMPTY: readonly string[] = Object.freeze([]);

/** Splits a dot path once, so nothing is split per request. */
export function compileClaimPath(path: string): ClaimPath {
  return { path, segments: path.split('.') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at `path` in `payload`, or undefined. A key equal to the whole path wins over the
 * dotted walk; only own properties are followed (no `__proto__`/`constructor` surprises).
 */
export function readClaim(payload: unknown, path: ClaimPath | string): unknown {
  const p = typeof path === 'string' ? compileClaimPath(path) : path;
  if (!isRecord(payload)) return undefined;
  if (Object.hasOwn(payload, p.path)) return payload[p.path];
  let current: unknown = payload;
  for (const segment of p.segments) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined;
    current = current[segment];
  }
  return current;
}

/** A non-empty string at `path`, else undefined (used for the subject). */
export function readClaimString(payload: unknown, path: ClaimPath | string): string | undefined {
  const value = readClaim(payload, path);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * The string list at `path`: an array of strings, or one space-separated string (RFC 8693 §4.2
 * `scope`); anything else (missing, number, object, array with a non-string) gives `[]`.
 */
export function readClaimList(payload: unknown, path: ClaimPath | string): readonly string[] {
  const value = readClaim(payload, path);
  if (typeof value === 'string') {
    const items = value.split(SPACES).filter((s) => s.length > 0);
    return items.length > 0 ? items : EMPTY;
  }
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
    return value.length > 0 ? [...value] : EMPTY;
  }
  return EMPTY;
}
