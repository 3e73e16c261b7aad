import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_MAX_TARGET_LENGTH, normalizePath, normalizeRequestTarget } from './normalize-path.js';
import type { PathRejection } from './normalize-path.js';

describe('normalizeRequestTarget: accepted targets', () => {
  const cases: [name: string, target: string, path: string, query: string][] = [
    ['root', '/', '/', ''],
    ['plain path (fast path)', '/api/v1/users', '/api/v1/users', ''],
    ['case is preserved', '/API/Users/AbC', '/API/Users/AbC', ''],
    ['sub-delims, ":" and "@" stay raw', "/a:b@c!$&'()*+,;=-._~", "/a:b@c!$&'()*+,;=-._~", ''],
    ['repeated slashes merged', '/a//b///c', '/a/b/c', ''],
    ['leading double slash is a path, not an authority', '//evil.example/x', '/evil.example/x', ''],
    ['only slashes', '///', '/', ''],
    ['"." segment removed', '/a/./b', '/a/b', ''],
    ['".." segment removed', '/a/b/../c', '/a/c', ''],
    ['".." above the root clamps', '/../../a', '/a', ''],
    ['".." at the root', '/..', '/', ''],
    ['"." at the root', '/.', '/', ''],
    ['"/./"', '/./', '/', ''],
    ['slashes merged before ".." applies', '/a//../b', '/b', ''],
    ['trailing slash kept', '/a/', '/a/', ''],
    ['trailing "/." keeps the slash', '/a/.', '/a/', ''],
    ['trailing "/.." keeps the slash', '/a/b/..', '/a/', ''],
    ['trailing "//" becomes one slash', '/a//', '/a/', ''],
    ['dot-prefixed names are not dot segments', '/.well-known/x/..a/.b/...', '/.well-known/x/..a/.b/...', ''],
    ['%61 decoded', '/%61bc', '/abc', ''],
    ['unreserved escapes decoded, both cases', '/%41%7a%30%2D%5F%7E', '/Az0-_~', ''],
    ['%2e%2e decoded before dot removal', '/a/%2e%2e/b', '/b', ''],
    ['mixed-case %2E.', '/a/b/%2E./c', '/a/c', ''],
    ['.%2e as last segment', '/a/b/.%2e', '/a/', ''],
    ['%2e alone', '/a/%2e/b', '/a/b', ''],
    ['reserved escape kept, hex upper-cased', '/a%3ab', '/a%3Ab', ''],
    ['%25 kept (no double decoding)', '/a%252e', '/a%252e', ''],
    ['%25 then %2e: only the escape is touched', '/%25%2e', '/%25.', ''],
    ['encoded "?" and "#" kept', '/a%3fb%23c', '/a%3Fb%23c', ''],
    ['encoded space kept', '/a%20b', '/a%20b', ''],
    ['encoded UTF-8 kept, upper-cased', '/caf%c3%a9', '/caf%C3%A9', ''],
    ['space encoded', '/a b', '/a%20b', ''],
    ['characters outside pchar encoded', '/"<>[]^`{|}', '/%22%3C%3E%5B%5D%5E%60%7B%7C%7D', ''],
    ['non-ASCII encoded as UTF-8', '/café', '/caf%C3%A9', ''],
    ['3-byte UTF-8', '/€', '/%E2%82%AC', ''],
    ['astral character (surrogate pair) as 4 bytes', '/😀', '/%F0%9F%98%80', ''],
    ['lone surrogate becomes U+FFFD', '/\ud800x', '/%EF%BF%BDx', ''],
    ['query kept verbatim', '/a?b=1&c=%zz&d=/../&e=é&F=%3a', '/a', 'b=1&c=%zz&d=/../&e=é&F=%3a'],
    ['query split at the first "?"', '/a?b?c', '/a', 'b?c'],
    ['empty query', '/a?', '/a', ''],
    ['path normalised, query untouched', '/a/./%62/..//c?x=%2F%5C\\', '/a/c', 'x=%2F%5C\\'],
  ];
  it.each(cases)('%s: %j', (_name, target, path, query) => {
    expect(normalizeRequestTarget(target)).toEqual({ ok: true, path, query });
  });

  it('returns a plain path unchanged (same string)', () => {
    const target = '/api/v1/users/42';
    const r = normalizeRequestTarget(target);
    expect(r.ok && r.path).toBe(target);
  });
});

describe('normalizeRequestTarget: refused targets', () => {
  const cases: [name: string, target: string, reason: PathRejection][] = [
    ['empty', '', 'EMPTY'],
    ['absolute-form', 'http://example.com/a', 'NOT_ORIGIN_FORM'],
    ['absolute-form https', 'https://example.com', 'NOT_ORIGIN_FORM'],
    ['authority-form', 'example.com:443', 'NOT_ORIGIN_FORM'],
    ['asterisk-form', '*', 'NOT_ORIGIN_FORM'],
    ['relative path', 'a/b', 'NOT_ORIGIN_FORM'],
    ['query only', '?a=1', 'NOT_ORIGIN_FORM'],
    ['fragment in the path', '/a#b', 'FRAGMENT'],
    ['fragment in the query', '/a?b=1#c', 'FRAGMENT'],
    ['fragment after a slow-path feature', '/a//b#c', 'FRAGMENT'],
    ['raw NUL', '/a\u0000b', 'NUL'],
    ['%00', '/a%00b', 'NUL'],
    ['%00 in the query', '/a?b=%00', 'NUL'],
    ['raw NUL in the query', '/a?b=\u0000', 'NUL'],
    ['raw tab', '/a\tb', 'CONTROL_CHARACTER'],
    ['raw CR LF', '/a\r\nb', 'CONTROL_CHARACTER'],
    ['raw DEL', '/a\u007f', 'CONTROL_CHARACTER'],
    ['%0a', '/a%0a', 'CONTROL_CHARACTER'],
    ['%1F', '/a%1F', 'CONTROL_CHARACTER'],
    ['%7f', '/a%7f', 'CONTROL_CHARACTER'],
    ['%0d%0a in the query', '/a?x=%0d%0aSet-Cookie:1', 'CONTROL_CHARACTER'],
    ['raw control in the query', '/a?x=\u0001', 'CONTROL_CHARACTER'],
    ['raw backslash', '/a\\b', 'BACKSLASH'],
    ['backslash traversal', '/a/..\\..\\etc', 'BACKSLASH'],
    ['%2f', '/a%2fb', 'ENCODED_SLASH'],
    ['%2F', '/a%2Fb', 'ENCODED_SLASH'],
    ['%2e%2e%2f traversal', '/%2e%2e%2fetc', 'ENCODED_SLASH'],
    ['%5c', '/a%5cb', 'ENCODED_BACKSLASH'],
    ['%5C', '/a%5Cb', 'ENCODED_BACKSLASH'],
    ['%zz', '/a%zzb', 'INVALID_PERCENT_ENCODING'],
    ['trailing %', '/a%', 'INVALID_PERCENT_ENCODING'],
    ['trailing %2', '/a%2', 'INVALID_PERCENT_ENCODING'],
    ['% before the query', '/a%?x', 'INVALID_PERCENT_ENCODING'],
    ['%g0', '/%g0', 'INVALID_PERCENT_ENCODING'],
    ['first problem from the left wins (% before NUL)', '/%zz%00', 'INVALID_PERCENT_ENCODING'],
    ['first problem from the left wins (NUL before %)', '/%00%zz', 'NUL'],
    ['path problems before query problems', '/a\\?x=%00', 'BACKSLASH'],
    ['servlet dot-dot with parameters', '/api/..;/admin', 'DOT_SEGMENT_PARAMETER'],
    ['servlet dot with parameters', '/api/.;x=1/admin', 'DOT_SEGMENT_PARAMETER'],
    ['encoded dot-dot with parameters', '/api/%2e%2e;/admin', 'DOT_SEGMENT_PARAMETER'],
    ['last segment dot-dot with parameters', '/api/..;jsessionid=1', 'DOT_SEGMENT_PARAMETER'],
  ];
  it.each(cases)('%s: %j → %s', (_name, target, reason) => {
    const r = normalizeRequestTarget(target);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message.length).toBeGreaterThan(20);
    }
  });

  it('gives guidance for "*" that names OPTIONS', () => {
    const r = normalizeRequestTarget('*');
    expect(!r.ok && r.message).toContain('OPTIONS');
  });
});

describe('normalizeRequestTarget: length limit', () => {
  it('accepts a target of exactly the default limit and refuses one more', () => {
    const at = '/' + 'a'.repeat(DEFAULT_MAX_TARGET_LENGTH - 1);
    expect(normalizeRequestTarget(at).ok).toBe(true);
    expect(normalizeRequestTarget(at + 'a')).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });

  it('applies a custom limit to the path and query together', () => {
    expect(normalizeRequestTarget('/abc?de', 7).ok).toBe(true);
    expect(normalizeRequestTarget('/abc?def', 7)).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });

  it('checks the length before anything else', () => {
    expect(normalizeRequestTarget('x'.repeat(20), 10)).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });

  it('refuses a target whose percent-encoded form exceeds the limit', () => {
    const target = '/' + 'é'.repeat(10); // 11 characters, 61 once encoded
    expect(normalizeRequestTarget(target, 20)).toMatchObject({ ok: false, reason: 'TOO_LONG' });
    expect(normalizeRequestTarget(target, 61).ok).toBe(true);
  });

  it('handles a long path of slashes and dots within the default limit', () => {
    const target = '/' + 'a/../'.repeat(1500) + './/'.repeat(100);
    expect(normalizeRequestTarget(target)).toEqual({ ok: true, path: '/', query: '' });
  });

  it('runs in linear time on megabyte inputs (a quadratic scan would time out)', () => {
    const max = 4_000_000;
    expect(normalizeRequestTarget('/' + 'a/../'.repeat(400_000), max)).toEqual({ ok: true, path: '/', query: '' });
    expect(normalizeRequestTarget('/' + '%61'.repeat(500_000), max)).toEqual({ ok: true, path: '/' + 'a'.repeat(500_000), query: '' });
    expect(normalizeRequestTarget('/' + 'b/'.repeat(500_000) + '?' + '%'.repeat(500_000), max).ok).toBe(true);
  });

  it('fails closed on a NaN limit', () => {
    expect(normalizeRequestTarget('/a', Number.NaN)).toMatchObject({ ok: false, reason: 'TOO_LONG' });
  });
});

describe('normalizePath', () => {
  it('treats "?" as data and encodes it', () => {
    expect(normalizePath('/a?b')).toEqual({ ok: true, path: '/a%3Fb', query: '' });
  });

  it('applies the same rules as the path part of a target', () => {
    expect(normalizePath('/a/%2e%2e/B//c/')).toEqual({ ok: true, path: '/B/c/', query: '' });
    expect(normalizePath('/a%2fb')).toMatchObject({ ok: false, reason: 'ENCODED_SLASH' });
    expect(normalizePath('/a#b')).toMatchObject({ ok: false, reason: 'FRAGMENT' });
    expect(normalizePath('a')).toMatchObject({ ok: false, reason: 'NOT_ORIGIN_FORM' });
  });
});

// ---------------------------------------------------------------- properties

const PATH_ALPHABET = ['/', '.', '%', '2', 'f', 'F', 'e', 'E', 'a', '\\', '?', '#', '0', '5', 'c', '3', ' ', 'é'];
const pathLike = fc
  .array(fc.constantFrom(...PATH_ALPHABET), { maxLength: 40 })
  .map((chars) => '/' + chars.join(''));
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string());
const slashPrefixed = anyString.map((s) => '/' + s);
const inputs = fc.oneof(pathLike, anyString, slashPrefixed);

describe('normalisation properties', () => {
  it('never throws and always answers ok or a known reason', () => {
    fc.assert(
      fc.property(inputs, (s) => {
        const a = normalizeRequestTarget(s);
        const b = normalizePath(s);
        for (const r of [a, b]) {
          if (!r.ok) expect(r.message).not.toBe('');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(inputs, (s) => {
        for (const first of [normalizeRequestTarget(s), normalizePath(s)]) {
          if (!first.ok) continue;
          expect(normalizeRequestTarget(first.path)).toEqual({ ok: true, path: first.path, query: '' });
          expect(normalizePath(first.path)).toEqual({ ok: true, path: first.path, query: '' });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('produces paths without "//", "/./", "/../", a trailing "/." or "/..", or lower-case escapes', () => {
    fc.assert(
      fc.property(inputs, (s) => {
        for (const r of [normalizeRequestTarget(s), normalizePath(s)]) {
          if (!r.ok) continue;
          expect(r.path.startsWith('/')).toBe(true);
          expect(r.path).not.toContain('//');
          expect(r.path).not.toContain('/./');
          expect(r.path).not.toContain('/../');
          expect(r.path.endsWith('/.')).toBe(false);
          expect(r.path.endsWith('/..')).toBe(false);
          expect(r.path).not.toMatch(/%(?![0-9A-F]{2})/);
          expect(r.path).toMatch(/^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the query verbatim', () => {
    fc.assert(
      fc.property(pathLike, fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), (path, query) => {
        const r = normalizeRequestTarget(`${path.replace(/[?#]/g, '')}?${query}`);
        if (r.ok) expect(r.query).toBe(query);
      }),
    );
  });

  it('decodes, so equivalent spellings of unreserved characters normalise alike', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'Z', '0', '-', '.', '_', '~', '/'), { maxLength: 20 }), fc.array(fc.boolean(), { maxLength: 20 }), (chars, encode) => {
        const plain = '/' + chars.join('');
        const encoded = '/' + chars.map((c, i) => (encode[i] && c !== '/' ? `%${c.charCodeAt(0).toString(16)}` : c)).join('');
        expect(normalizeRequestTarget(encoded)).toEqual(normalizeRequestTarget(plain));
      }),
    );
  });
});
