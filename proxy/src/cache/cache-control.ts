/**
 * `Cache-Control` parsing (RFC 9111 §5.2) for the response cache: pure, tolerant of bad input.
 * Unknown directives are ignored; a directive given twice with different delta-seconds counts as
 * stale (`0`, RFC 9111 §4.2.1); invalid or negative numbers are ignored.
 */

/** The directives the response cache acts on, from a request or a response. */
export interface CacheControl {
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  public: boolean;
  /** seconds; absent when not given or invalid */
  maxAge?: number;
  sMaxAge?: number;
  mustRevalidate: boolean;
}

/** Delta-seconds above this are capped (RFC 9111 §1.2.2). */
const MAX_DELTA_SECONDS = 2_147_483_648;

const SPACE = 0x20;
const TAB = 0x09;
const COMMA = 0x2c;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Parses delta-seconds (`1*DIGIT`, RFC 9111 §1.2.2); undefined when not a plain non-negative integer. */
function deltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined || value.length === 0) return undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  const n = Number(value);
  return n > MAX_DELTA_SECONDS ? MAX_DELTA_SECONDS : n;
}

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** Applies a delta-seconds directive: the first valid value, or 0 (stale) when repeated with a different value. */
function mergeDelta(previous: number | undefined, next: number | undefined): number | undefined {
  if (next === undefined) return previous;
  if (previous === undefined || previous === next) return next;
  return 0;
}

function apply(cc: CacheControl, name: string, value: string | undefined): void {
  switch (name) {
    case 'no-store':
      cc.noStore = true;
      break;
    // The qualified forms (`no-cache="set-cookie"`, `private="x"`) are treated as unqualified: the conservative reading for a shared cache.
    case 'no-cache':
      cc.noCache = true;
      break;
    case 'private':
      cc.private = true;
      break;
    case 'public':
      cc.public = true;
      break;
    case 'must-revalidate':
      cc.mustRevalidate = true;
      break;
    case 'max-age':
      cc.maxAge = mergeDelta(cc.maxAge, deltaSeconds(value));
      if (cc.maxAge === undefined) delete cc.maxAge;
      break;
    case 's-maxage':
      cc.sMaxAge = mergeDelta(cc.sMaxAge, deltaSeconds(value));
      if (cc.sMaxAge === undefined) delete cc.sMaxAge;
      break;
    default:
      break;
  }
}

/** Scans one field value into `cc`: `directive[=token|quoted-string]` separated by commas (RFC 9110 §5.6). */
function scan(cc: CacheControl, s: string): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(s.charCodeAt(i)) || s.charCodeAt(i) === COMMA)) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === EQUALS || c === COMMA || isSpace(c)) break;
      i++;
    }
    const name = s.slice(nameStart, i).toLowerCase();
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    let value: string | undefined;
    if (i < n && s.charCodeAt(i) === EQUALS) {
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      if (i < n && s.charCodeAt(i) === QUOTE) {
        i++;
        let v = '';
        while (i < n && s.charCodeAt(i) !== QUOTE) {
          if (s.charCodeAt(i) === BACKSLASH && i + 1 < n) i++;
          v += s[i];
          i++;
        }
        i++; // closing quote (or end of an unterminated string)
        value = v;
      } else {
        const valueStart = i;
        while (i < n && s.charCodeAt(i) !== COMMA && !isSpace(s.charCodeAt(i))) i++;
        value = s.slice(valueStart, i);
      }
    }
    // Anything else up to the next comma is garbage: skip it.
    while (i < n && s.charCodeAt(i) !== COMMA) i++;
    if (name.length > 0) apply(cc, name, value);
  }
}

/** Parses `Cache-Control` field lines (RFC 9111 §5.2); directive names are case-insensitive, values may be quoted. */
export function parseCacheControl(v: string | readonly string[] | undefined): CacheControl {
  const cc: CacheControl = { noStore: false, noCache: false, private: false, public: false, mustRevalidate: false };
  if (v === undefined) return cc;
  if (typeof v === 'string') scan(cc, v);
  else for (const line of v) scan(cc, line);
  return cc;
}
