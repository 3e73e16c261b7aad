/**
 * Request-target normalisation: turns the raw request-line target into the one
 * path every later stage (routing, authorisation, rate-limit keys, the upstream)
 * sees, and refuses targets that servers are known to read differently.
 * Syntax-based normalisation follows RFC 3986 §6
 * (https://www.rfc-editor.org/rfc/rfc3986#section-6); dot-segment removal is
 * RFC 3986 §5.2.4 (https://www.rfc-editor.org/rfc/rfc3986#section-5.2.4); the
 * accepted target form is origin-form, RFC 9112 §3.2.1
 * (https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1).
 *
 * Rules (checks 1–3 first, then one left-to-right scan in which the first
 * offending character decides the rejection reason):
 *
 *  1. An empty target is refused: `EMPTY`.
 *  2. A target longer than `maxLength` UTF-16 code units (default 8192) is
 *     refused before any other work: `TOO_LONG`. The normalised result
 *     (path, plus `?` and query when there is one) must also fit, since
 *     percent-encoding can lengthen it.
 *  3. Only origin-form is accepted: the target must start with `/`.
 *     Absolute-form (`http://host/x`), authority-form (`host:443`) and
 *     asterisk-form (`*`) are refused: `NOT_ORIGIN_FORM`.
 *  4. The target is split at the first `?` into path and query.
 *     (`normalizePath` takes a path only: a `?` in it is data and is
 *     percent-encoded as `%3F`, rule 10.)
 *  5. A `#` anywhere (path or query) is refused: `FRAGMENT`. Clients never
 *     send fragments; a literal `#` must be sent as `%23`.
 *  6. NUL, raw or as `%00`, anywhere (path or query) is refused: `NUL`.
 *  7. Any other control character, raw (0x01–0x1F, 0x7F) or percent-encoded
 *     (`%01`–`%1F`, `%7F`), anywhere (path or query) is refused:
 *     `CONTROL_CHARACTER`.
 *  8. In the path: a raw `\` is refused (`BACKSLASH`), `%2F`/`%2f` is refused
 *     (`ENCODED_SLASH`), `%5C`/`%5c` is refused (`ENCODED_BACKSLASH`): servers
 *     disagree on whether these separate segments.
 *  9. In the path, a `%` not followed by two hex digits is refused:
 *     `INVALID_PERCENT_ENCODING`.
 * 10. Percent-encoded unreserved characters (ALPHA DIGIT `-` `.` `_` `~`) are
 *     decoded (`%61` → `a`, `%2E` → `.`), RFC 3986 §6.2.2.2. Every other
 *     escape is kept, with upper-case hex (`%3a` → `%3A`), RFC 3986 §6.2.2.1.
 * 11. Characters that may not appear raw in a path segment (outside RFC 3986
 *     `pchar`): space `"` `<` `>` `[` `]` `^` `` ` `` `{` `|` `}` (and `?` in
 *     `normalizePath`) and every non-ASCII character are percent-encoded as
 *     UTF-8 with upper-case hex. A lone UTF-16 surrogate is encoded as U+FFFD.
 * 12. Letters keep their case: paths are case-sensitive (only the hex digits of
 *     escapes are upper-cased).
 * 13. Repeated slashes are merged (`//` → `/`): empty segments are dropped.
 * 14. Dot segments are removed (remove_dot_segments, RFC 3986 §5.2.4) after
 *     decoding, so `/a/%2e%2e/b` → `/b`. `..` above the root stays at the root
 *     (`/../a` → `/a`).
 * 14a. A segment that is `.` or `..` followed by `;` and parameters
 *     (`/api/..;/admin`) is refused: `DOT_SEGMENT_PARAMETER`. Servlet
 *     containers (Tomcat, Jetty) strip `;…` and then resolve the dot segment,
 *     so the backend would see a different path than the one authorised.
 * 15. A trailing slash is kept: when the last segment is empty, `.` or `..`
 *     the path ends in `/` (`/a/` → `/a/`, `/a/.` → `/a/`, `/a/b/..` → `/a/`).
 * 16. The query is returned verbatim (without the `?`; `''` when absent or
 *     empty). Only rules 5–7 apply to it: a malformed `%` in the query is
 *     left for the upstream to judge.
 * 17. Normalisation never throws, always terminates, runs in time linear in
 *     the input, and is idempotent. A path made only of `pchar` characters,
 *     with no `%`, no `//` and no `/.`, is returned as is (fast path).
 */

/** Why a request target was refused; each is answered with 400 Bad Request. */
export type PathRejection =
  /** the target is the empty string */
  | 'EMPTY'
  /** the target does not start with "/" (absolute-form, authority-form, "*") */
  | 'NOT_ORIGIN_FORM'
  /** the path contains "%2F" (an encoded "/") */
  | 'ENCODED_SLASH'
  /** the path contains "%5C" (an encoded "\") */
  | 'ENCODED_BACKSLASH'
  /** the path contains a raw "\" */
  | 'BACKSLASH'
  /** NUL, raw or "%00", in the path or the query */
  | 'NUL'
  /** another control character (0x01–0x1F, 0x7F), raw or encoded, in the path or the query */
  | 'CONTROL_CHARACTER'
  /** a "%" in the path not followed by two hex digits */
  | 'INVALID_PERCENT_ENCODING'
  /** the target contains "#" */
  | 'FRAGMENT'
  /** the target, or its normalised form, is longer than the limit */
  | 'TOO_LONG'
  /** a "." or ".." segment with ";" parameters, e.g. "/..;/" (rule 14a) */
  | 'DOT_SEGMENT_PARAMETER';

/** The outcome of normalisation: the canonical path and the verbatim query, or why the target was refused. */
export type NormalizedTarget =
  | { ok: true; path: string; /** without "?", '' when none */ query: string }
  | { ok: false; reason: PathRejection; /** human guidance: what is wrong and what to send instead */ message: string };

/** Default limit on the request-target length, in UTF-16 code units (Node's own header limit is 16 KiB in total). */
export const DEFAULT_MAX_TARGET_LENGTH = 8192;

/**
 * Normalises a raw request-line target (e.g. `/a/./b?x=1`) per the rules at the
 * top of this file (RFC 3986 §6): the canonical path, the verbatim query, or a
 * rejection with a reason code.
 */
export function normalizeRequestTarget(target: string, maxLength: number = DEFAULT_MAX_TARGET_LENGTH): NormalizedTarget {
  return normalize(target, maxLength, true);
}

/**
 * Normalises a path without a query (a `?` is data and becomes `%3F`) per the
 * rules at the top of this file, with the default length limit; `query` is always `''`.
 */
export function normalizePath(path: string): NormalizedTarget {
  return normalize(path, DEFAULT_MAX_TARGET_LENGTH, false);
}

// ---------------------------------------------------------------- tables

const SLASH = 0x2f;
const DOT = 0x2e;
const PERCENT = 0x25;
const QUESTION = 0x3f;
const HASH = 0x23;
const BACKSLASH = 0x5c;

/** 1 for ASCII characters allowed raw in a path: RFC 3986 `pchar` minus `%`, plus `/`. */
const RAW_PATH_CHAR = new Uint8Array(128);
/** 1 for RFC 3986 unreserved characters: ALPHA DIGIT - . _ ~ */
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /^[A-Za-z0-9]$/.test(ch);
  if (alnum || '-._~'.includes(ch)) UNRESERVED[c] = 1;
  if (alnum || "-._~!$&'()*+,;=:@/".includes(ch)) RAW_PATH_CHAR[c] = 1;
}

/** `%XX` with upper-case hex for every byte value. */
const PERCENT_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Value of a hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Byte value of the escape at `i` (which holds "%"), or -1 when it is not "%" + two hex digits. */
function escapeValue(s: string, i: number): number {
  if (i + 2 >= s.length) return -1;
  const hi = hexValue(s.charCodeAt(i + 1));
  const lo = hexValue(s.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function isControl(c: number): boolean {
  return c < 0x20 || c === 0x7f;
}

// ---------------------------------------------------------------- rejections

function hex2(c: number): string {
  return c.toString(16).toUpperCase().padStart(2, '0');
}

function reject(reason: PathRejection, message: string): NormalizedTarget {
  return { ok: false, reason, message };
}

function controlRejection(value: number, at: number, encoded: boolean): NormalizedTarget {
  const how = encoded ? `"%${hex2(value)}"` : `a raw 0x${hex2(value)} byte`;
  if (value === 0) return reject('NUL', `the request target contains NUL (${how}) at offset ${at}; NUL is never valid in a URL`);
  return reject(
    'CONTROL_CHARACTER',
    `the request target contains control character 0x${hex2(value)} (${how}) at offset ${at}; control characters are not allowed in a URL, raw or percent-encoded`,
  );
}

function fragmentRejection(at: number): NormalizedTarget {
  return reject('FRAGMENT', `the request target contains "#" at offset ${at}; a fragment is never sent to a server: remove it, or send a literal "#" as "%23"`);
}

function invalidEscapeRejection(at: number): NormalizedTarget {
  return reject('INVALID_PERCENT_ENCODING', `"%" at offset ${at} is not followed by two hex digits; send a literal "%" as "%25"`);
}

function tooLong(length: number, maxLength: number, normalised: boolean): NormalizedTarget {
  const what = normalised ? 'once normalised (percent-encoded), the request target is' : 'the request target is';
  return reject('TOO_LONG', `${what} ${length} characters long, over the limit of ${maxLength}; shorten the URL or move data into the body`);
}

function notOriginForm(target: string): NormalizedTarget {
  if (target === '*') {
    return reject('NOT_ORIGIN_FORM', 'asterisk-form "*" (as in "OPTIONS *") is not accepted; send OPTIONS to a path starting with "/"');
  }
  return reject(
    'NOT_ORIGIN_FORM',
    'the request target must be a path starting with "/" (origin-form, RFC 9112 §3.2.1); absolute URLs ("http://host/x") and "host:port" are not accepted',
  );
}

// ---------------------------------------------------------------- normalisation

/** Rejection for the query part (rules 5–7), or undefined when it is acceptable. Scans from `start` to the end. */
function checkQuery(s: string, start: number): NormalizedTarget | undefined {
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isControl(c)) return controlRejection(c, i, false);
    if (c === HASH) return fragmentRejection(i);
    if (c === PERCENT) {
      const v = escapeValue(s, i);
      if (v >= 0 && isControl(v)) return controlRejection(v, i, true);
    }
  }
  return undefined;
}

function normalize(input: string, maxLength: number, splitQuery: boolean): NormalizedTarget {
  const len = input.length;
  if (len === 0) return reject('EMPTY', 'the request target is empty; send a path starting with "/"');
  if (!(len <= maxLength)) return tooLong(len, maxLength, false);
  if (input.charCodeAt(0) !== SLASH) return notOriginForm(input);

  // Fast path: pchar-only path with no "%", "//" or "/." is already canonical.
  let pathEnd = len;
  let plain = true;
  let prev = -1;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c === QUESTION && splitQuery) {
      pathEnd = i;
      break;
    }
    if (c >= 128 || RAW_PATH_CHAR[c] !== 1 || (prev === SLASH && (c === SLASH || c === DOT))) {
      plain = false;
      break;
    }
    prev = c;
  }
  if (plain) {
    if (pathEnd === len) return { ok: true, path: input, query: '' };
    const bad = checkQuery(input, pathEnd + 1);
    if (bad) return bad;
    return { ok: true, path: input.slice(0, pathEnd), query: input.slice(pathEnd + 1) };
  }
  return normalizeSlow(input, maxLength, splitQuery);
}

/** Appends the UTF-8 percent-encoding of the code point starting at `i`; returns how many UTF-16 units it used. */
function encodeNonAscii(s: string, i: number, out: string[]): number {
  let cp = s.charCodeAt(i);
  let used = 1;
  if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
    const lo = s.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      used = 2;
    }
  }
  if (used === 1 && cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // lone surrogate: not encodable as UTF-8
  if (cp < 0x800) {
    out.push(PERCENT_BYTE[0xc0 | (cp >> 6)]!, PERCENT_BYTE[0x80 | (cp & 0x3f)]!);
  } else if (cp < 0x10000) {
    out.push(PERCENT_BYTE[0xe0 | (cp >> 12)]!, PERCENT_BYTE[0x80 | ((cp >> 6) & 0x3f)]!, PERCENT_BYTE[0x80 | (cp & 0x3f)]!);
  } else {
    out.push(
      PERCENT_BYTE[0xf0 | (cp >> 18)]!,
      PERCENT_BYTE[0x80 | ((cp >> 12) & 0x3f)]!,
      PERCENT_BYTE[0x80 | ((cp >> 6) & 0x3f)]!,
      PERCENT_BYTE[0x80 | (cp & 0x3f)]!,
    );
  }
  return used;
}

/** Full scan: validates, decodes/encodes each segment, merges slashes and removes dot segments. */
function normalizeSlow(input: string, maxLength: number, splitQuery: boolean): NormalizedTarget {
  const len = input.length;
  const segments: string[] = [];
  /** pieces of the current segment */
  const parts: string[] = [];
  let runStart = 1; // start of the pending run of raw characters copied as they are
  let i = 1; // input[0] is "/"
  let pathEnd = len;
  let trailingSlash: boolean;

  for (;;) {
    const c = i < len ? input.charCodeAt(i) : -1;
    if (c === -1 || c === SLASH || (c === QUESTION && splitQuery)) {
      // end of a segment
      if (runStart < i) parts.push(input.slice(runStart, i));
      const segment = parts.length === 1 ? parts[0]! : parts.join('');
      parts.length = 0;
      const semi = segment.indexOf(';');
      if (semi === 1 || semi === 2) {
        const head = segment.slice(0, semi);
        if (head === '.' || head === '..') {
          return reject('DOT_SEGMENT_PARAMETER', `the path has a dot segment with parameters ("${segment.slice(0, 16)}"); some servers strip ";…" and then resolve it, so it is refused`);
        }
      }
      const dotOrEmpty = segment === '' || segment === '.' || segment === '..';
      if (segment === '..') segments.pop();
      else if (!dotOrEmpty) segments.push(segment);
      if (c !== SLASH) {
        // last segment: an empty or dot segment leaves the path ending in "/"
        trailingSlash = dotOrEmpty;
        if (c === QUESTION) pathEnd = i;
        break;
      }
      i++;
      runStart = i;
      continue;
    }
    if (c < 128 && RAW_PATH_CHAR[c] === 1) {
      i++;
      continue;
    }
    // A character that is not copied as is: flush the pending run first.
    if (runStart < i) parts.push(input.slice(runStart, i));
    if (c === PERCENT) {
      const v = escapeValue(input, i);
      if (v < 0) return invalidEscapeRejection(i);
      if (isControl(v)) return controlRejection(v, i, true);
      if (v === SLASH) return reject('ENCODED_SLASH', `the path contains "${input.slice(i, i + 3)}" (an encoded "/") at offset ${i}; servers disagree on whether it separates segments, so it is refused: send the value in the query or encode it another way`);
      if (v === BACKSLASH) return reject('ENCODED_BACKSLASH', `the path contains "${input.slice(i, i + 3)}" (an encoded "\\") at offset ${i}; some servers treat "\\" as "/", so it is refused`);
      parts.push(v < 128 && UNRESERVED[v] === 1 ? String.fromCharCode(v) : PERCENT_BYTE[v]!);
      i += 3;
    } else if (c < 128) {
      if (isControl(c)) return controlRejection(c, i, false);
      if (c === HASH) return fragmentRejection(i);
      if (c === BACKSLASH) return reject('BACKSLASH', `the path contains "\\" at offset ${i}; some servers treat it as "/", so it is refused: use "/" to separate segments`);
      parts.push(PERCENT_BYTE[c]!); // space " < > [ ] ^ ` { | } and "?" in a path-only input
      i++;
    } else {
      i += encodeNonAscii(input, i, parts);
    }
    runStart = i;
  }

  let query = '';
  if (pathEnd < len) {
    const bad = checkQuery(input, pathEnd + 1);
    if (bad) return bad;
    query = input.slice(pathEnd + 1);
  }
  const path = segments.length === 0 ? '/' : '/' + segments.join('/') + (trailingSlash ? '/' : '');
  const total = path.length + (pathEnd < len ? len - pathEnd : 0);
  if (total > maxLength) return tooLong(total, maxLength, true);
  return { ok: true, path, query };
}
