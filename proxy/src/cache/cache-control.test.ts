import { describe, expect, it } from 'vitest';
import { parseCacheControl, type CacheControl } from './cache-control.js';

const none: CacheControl = { noStore: false, noCache: false, private: false, public: false, mustRevalidate: false };

describe('parseCacheControl', () => {
  it.each<[string, string | string[] | undefined, Partial<CacheControl>]>([
    ['absent', undefined, {}],
    ['empty', '', {}],
    ['no-store', 'no-store', { noStore: true }],
    ['case-insensitive names', 'No-Store, MAX-AGE=10, Public', { noStore: true, maxAge: 10, public: true }],
    ['max-age and s-maxage', 'max-age=60, s-maxage=30', { maxAge: 60, sMaxAge: 30 }],
    ['quoted number', 'max-age="120"', { maxAge: 120 }],
    ['spaces around =', 'max-age = 5 , private', { maxAge: 5, private: true }],
    ['invalid number ignored', 'max-age=abc, s-maxage=-1, public', { public: true }],
    ['decimal ignored', 'max-age=1.5', {}],
    ['empty value ignored', 'max-age=', {}],
    ['huge number capped', 'max-age=99999999999999', { maxAge: 2_147_483_648 }],
    ['zero kept', 'max-age=0', { maxAge: 0 }],
    ['repeated same value', 'max-age=10, max-age=10', { maxAge: 10 }],
    ['conflicting values are stale', 'max-age=10, max-age=20', { maxAge: 0 }],
    ['invalid repeat keeps the first', 'max-age=10, max-age=x', { maxAge: 10 }],
    ['qualified no-cache counts', 'no-cache="set-cookie, x-a", max-age=5', { noCache: true, maxAge: 5 }],
    ['qualified private counts', 'private="x-user"', { private: true }],
    ['quoted comma does not split', 'ext="a, no-store", public', { public: true }],
    ['escaped quote in value', 'ext="a\\"b, no-store", must-revalidate', { mustRevalidate: true }],
    ['unterminated quote swallows the rest', 'ext="open, no-store', {}],
    ['unknown directives ignored', 'immutable, stale-while-revalidate=30, max-age=7', { maxAge: 7 }],
    ['stray commas', ',,  ,no-cache,,', { noCache: true }],
    ['garbage after value skipped', 'max-age=5 junk, public', { maxAge: 5, public: true }],
    ['several field lines', ['max-age=5', 'no-store'], { maxAge: 5, noStore: true }],
    ['directive as a value is not a directive', 'x=no-store', {}],
  ])('%s', (_name, input, expected) => {
    expect(parseCacheControl(input)).toEqual({ ...none, ...expected });
  });
});
