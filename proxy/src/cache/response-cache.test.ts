import type { IncomingHttpHeaders } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyEtag, hitHeaders, ifNoneMatchMatches, MISS_HEADERS, notModifiedHeaders, parseHttpDate, ResponseCache, type CacheRequest, type CacheRule } from './response-cache.js';

const rule = (o: Partial<CacheRule> = {}): CacheRule => ({ enabled: true, ttlSeconds: 60, private: false, vary: [], maxEntryBytes: 1024 * 1024, ...o });
const request = (o: Partial<CacheRequest> = {}): CacheRequest => ({ method: 'GET', path: '/items', query: '', headers: {}, routeId: 'r1', ...o });

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Runs one upstream response through beginCapture → push → finish, as the relay will. */
function store(cache: ResponseCache, req: CacheRequest, r: CacheRule, body: string | Buffer = 'hello', headers: IncomingHttpHeaders = {}, status = 200) {
  const capture = cache.beginCapture(req, r, status, headers);
  if (capture === undefined) return undefined;
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  for (let i = 0; i < buf.length; i += 4) if (!capture.push(buf.subarray(i, i + 4))) return undefined;
  return capture.finish();
}

describe('request policy', () => {
  const cache = new ResponseCache({});
  it.each<[string, Partial<CacheRequest>, Partial<CacheRule>, { lookup: boolean; store: boolean }]>([
    ['GET', {}, {}, { lookup: true, store: true }],
    ['HEAD looks up only', { method: 'HEAD' }, {}, { lookup: true, store: false }],
    ['POST', { method: 'POST' }, {}, { lookup: false, store: false }],
    ['disabled rule', {}, { enabled: false }, { lookup: false, store: false }],
    ['no-cache bypasses lookup', { headers: { 'cache-control': 'no-cache' } }, {}, { lookup: false, store: true }],
    ['max-age=0 bypasses lookup', { headers: { 'cache-control': 'max-age=0' } }, {}, { lookup: false, store: true }],
    ['Pragma: no-cache without Cache-Control', { headers: { pragma: 'no-cache' } }, {}, { lookup: false, store: true }],
    ['Cache-Control wins over Pragma', { headers: { pragma: 'no-cache', 'cache-control': 'max-age=10' } }, {}, { lookup: true, store: true }],
    ['no-store forbids storing', { headers: { 'cache-control': 'no-store' } }, {}, { lookup: true, store: false }],
  ])('%s', (_name, req, r, expected) => {
    expect(cache.requestPolicy(request(req), rule(r))).toEqual(expected);
  });
});

describe('storability', () => {
  it.each<[string, number, IncomingHttpHeaders, Partial<CacheRequest>, Partial<CacheRule>, boolean]>([
    ['200 plain', 200, {}, {}, {}, true],
    ['203', 203, {}, {}, {}, true],
    ['301', 301, {}, {}, {}, true],
    ['404', 404, {}, {}, {}, true],
    ['410', 410, {}, {}, {}, true],
    ['204', 204, {}, {}, {}, false],
    ['206', 206, {}, {}, {}, false],
    ['302', 302, {}, {}, {}, false],
    ['304', 304, {}, {}, {}, false],
    ['500', 500, {}, {}, {}, false],
    ['HEAD never stores', 200, {}, { method: 'HEAD' }, {}, false],
    ['POST', 200, {}, { method: 'POST' }, {}, false],
    ['request no-store', 200, {}, { headers: { 'cache-control': 'no-store' } }, {}, false],
    ['response no-store', 200, { 'cache-control': 'no-store' }, {}, {}, false],
    ['response no-cache', 200, { 'cache-control': 'no-cache' }, {}, {}, false],
    ['response max-age=0', 200, { 'cache-control': 'max-age=0' }, {}, {}, false],
    ['response s-maxage=0 beats max-age', 200, { 'cache-control': 'max-age=60, s-maxage=0' }, {}, {}, false],
    ['response private on a shared rule', 200, { 'cache-control': 'private, max-age=60' }, {}, {}, false],
    ['response private on a private rule', 200, { 'cache-control': 'private, max-age=60' }, { principalId: 'u1' }, { private: true }, true],
    ['Set-Cookie', 200, { 'set-cookie': ['a=1'] }, {}, {}, false],
    ['Set-Cookie even when public', 200, { 'set-cookie': ['a=1'], 'cache-control': 'public' }, {}, {}, false],
    ['Set-Cookie even on a private rule', 200, { 'set-cookie': ['a=1'] }, { principalId: 'u1' }, { private: true }, false],
    ['Vary: *', 200, { vary: 'accept, *' }, {}, {}, false],
    ['Authorization, shared rule, not public', 200, { 'cache-control': 'max-age=60' }, { headers: { authorization: 'Bearer x' } }, {}, false],
    ['Authorization, shared rule, public', 200, { 'cache-control': 'public, max-age=60' }, { headers: { authorization: 'Bearer x' } }, {}, true],
    ['principal (API key), shared rule, not public', 200, {}, { principalId: 'u1' }, {}, false],
    ['Authorization, private rule', 200, {}, { headers: { authorization: 'Bearer x' }, principalId: 'u1' }, { private: true }, true],
    ['Expires in the past', 200, { date: 'Mon, 01 Jan 2024 00:00:10 GMT', expires: 'Mon, 01 Jan 2024 00:00:00 GMT' }, {}, {}, false],
    ['invalid Expires means expired', 200, { expires: '0' }, {}, {}, false],
    ['Expires ignored when max-age given', 200, { expires: '0', 'cache-control': 'max-age=60' }, {}, {}, true],
    ['Age beyond max-age', 200, { 'cache-control': 'max-age=60', age: '60' }, {}, {}, false],
    ['Content-Length over maxEntryBytes', 200, { 'content-length': '5000' }, {}, { maxEntryBytes: 4096 }, false],
  ])('%s', (_name, status, headers, req, r, storable) => {
    const cache = new ResponseCache({ now: clock().now });
    expect(cache.beginCapture(request(req), rule(r), status, headers) !== undefined).toBe(storable);
  });

  it('does not store a body that does not match its Content-Length (truncated)', () => {
    const cache = new ResponseCache({});
    expect(store(cache, request(), rule(), 'abc', { 'content-length': '10' })).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stores flat headers without hop-by-hop, Connection-listed, age or content-length', () => {
    const cache = new ResponseCache({});
    const e = store(cache, request(), rule(), 'hello', {
      'content-type': 'text/plain',
      'content-length': '5',
      connection: 'x-hop',
      'x-hop': '1',
      'keep-alive': 'timeout=5',
      age: '2',
      link: ['<a>', '<b>'],
    })!;
    expect(e.headers).toEqual(['content-type', 'text/plain', 'link', '<a>', 'link', '<b>']);
  });
});

describe('keys', () => {
  it.each<[string, Partial<CacheRequest>, Partial<CacheRequest>, Partial<CacheRule>, boolean]>([
    ['same request', {}, {}, {}, true],
    ['HEAD is served from the GET entry', {}, { method: 'HEAD' }, {}, true],
    ['POST is never served', {}, { method: 'POST' }, {}, false],
    ['different query', { query: 'a=1' }, { query: 'a=2' }, {}, false],
    ['query vs none', { query: 'a=1' }, {}, {}, false],
    ['different path', {}, { path: '/other' }, {}, false],
    ['different route', {}, { routeId: 'r2' }, {}, false],
    ['rule.vary header differs', { headers: { 'x-tenant': 'a' } }, { headers: { 'x-tenant': 'b' } }, { vary: ['X-Tenant'] }, false],
    ['rule.vary header equal', { headers: { 'x-tenant': 'a' } }, { headers: { 'x-tenant': 'a' } }, { vary: ['X-Tenant'] }, true],
    ['rule.vary header absent vs empty', { headers: { 'x-tenant': '' } }, { headers: {} }, { vary: ['x-tenant'] }, false],
    ['header outside vary ignored', { headers: { 'x-other': 'a' } }, { headers: { 'x-other': 'b' } }, {}, true],
    ['private: other principal', { principalId: 'u1' }, { principalId: 'u2' }, { private: true }, false],
    ['private: same principal', { principalId: 'u1' }, { principalId: 'u1' }, { private: true }, true],
    ['private: anonymous vs principal', {}, { principalId: 'u1' }, { private: true }, false],
    ['separator cannot be forged', { path: '/a', query: '3:b' }, { path: '/a1:', query: 'b' }, {}, false],
  ])('%s', (_name, stored, asked, r, hit) => {
    const cache = new ResponseCache({ now: clock().now });
    expect(store(cache, request(stored), rule(r))).toBeDefined();
    expect(cache.lookup(request(asked), rule(r)) !== undefined).toBe(hit);
  });

  it('honours the response Vary: one variant per request value, both kept', () => {
    const cache = new ResponseCache({ now: clock().now });
    const r = rule();
    const en = request({ headers: { 'accept-language': 'en' } });
    const fr = request({ headers: { 'accept-language': 'fr' } });
    expect(store(cache, en, r, 'hello', { vary: 'Accept-Language' })!.vary).toEqual(['accept-language']);
    expect(cache.lookup(fr, r)).toBeUndefined();
    store(cache, fr, r, 'bonjour', { vary: 'accept-language' });
    expect(cache.lookup(en, r)?.body.toString()).toBe('hello');
    expect(cache.lookup(fr, r)?.body.toString()).toBe('bonjour');
    expect(cache.lookup(request({ headers: { 'accept-language': 'de' } }), r)).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it('adds Accept-Encoding to Vary when the response is encoded', () => {
    const cache = new ResponseCache({ now: clock().now });
    const r = rule();
    const gz = request({ headers: { 'accept-encoding': 'gzip' } });
    expect(store(cache, gz, r, 'zz', { 'content-encoding': 'gzip' })!.vary).toEqual(['accept-encoding']);
    expect(cache.lookup(request(), r)).toBeUndefined();
    expect(cache.lookup(gz, r)).toBeDefined();
  });

  it('keeps the Vary index in step with evictions (no leak once entries are gone)', () => {
    const cache = new ResponseCache({ maxBytes: 4096, now: clock().now });
    for (let i = 0; i < 200; i++) store(cache, request({ path: `/p${i}`, headers: { accept: 'a' } }), rule(), 'x'.repeat(100), { vary: 'accept' });
    const index = (cache as unknown as { variants: Map<string, unknown> }).variants;
    expect(index.size).toBe(cache.size);
    cache.purge();
    expect(index.size).toBe(0);
  });
});

describe('hits', () => {
  it('hitHeaders adds the computed strong ETag, Content-Length, Age and X-Cache', () => {
    const c = clock();
    const cache = new ResponseCache({ now: c.now });
    const e = store(cache, request(), rule(), 'hello', { 'content-type': 'text/plain' })!;
    expect(e.etag).toBe(bodyEtag(Buffer.from('hello')));
    expect(e.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    c.advance(2500);
    expect(hitHeaders(e, c.now())).toEqual(['content-type', 'text/plain', 'etag', e.etag, 'content-length', '5', 'age', '2', 'x-cache', 'HIT']);
    expect(MISS_HEADERS).toEqual(['x-cache', 'MISS']);
  });

  it('keeps the upstream ETag and counts its Age', () => {
    const c = clock();
    const cache = new ResponseCache({ now: c.now });
    const e = store(cache, request(), rule(), 'hello', { etag: 'W/"v1"', age: '10', 'cache-control': 'max-age=30' })!;
    expect(e.etag).toBe('W/"v1"');
    const h = hitHeaders(e, c.now());
    expect(h.filter((x) => x === 'etag')).toHaveLength(1);
    expect(h.slice(-4)).toEqual(['age', '10', 'x-cache', 'HIT']);
    expect(e.expiresAt - c.now()).toBe(20_000);
  });

  it('notModifiedHeaders keeps only the validator and caching headers', () => {
    const cache = new ResponseCache({});
    const e = store(cache, request(), rule(), 'x', { 'content-type': 'text/plain', 'cache-control': 'max-age=60', vary: 'accept', date: 'Mon, 01 Jan 2024 00:00:00 GMT' })!;
    expect(notModifiedHeaders(e, e.storedAt)).toEqual(['etag', e.etag, 'cache-control', 'max-age=60', 'vary', 'accept', 'date', 'Mon, 01 Jan 2024 00:00:00 GMT', 'age', '0', 'x-cache', 'HIT']);
  });

  it('counts hits, misses and stores', () => {
    const cache = new ResponseCache({ now: clock().now });
    cache.lookup(request(), rule());
    store(cache, request(), rule());
    cache.lookup(request(), rule());
    cache.lookup(request({ method: 'HEAD' }), rule());
    expect(cache.stats()).toEqual({ hits: 2, misses: 1, stores: 1, tooLarge: 0 });
  });
});

describe('If-None-Match', () => {
  it.each<[string, string, string | undefined, boolean]>([
    ['absent', '"a"', undefined, false],
    ['strong equal', '"a"', '"a"', true],
    ['different', '"a"', '"b"', false],
    ['weak request tag vs strong entry', '"a"', 'W/"a"', true],
    ['strong request tag vs weak entry', 'W/"a"', '"a"', true],
    ['both weak', 'W/"a"', 'W/"a"', true],
    ['list', '"a"', '"x", "y", "a"', true],
    ['list without spaces', '"a"', '"x","a"', true],
    ['list without match', '"a"', '"x", W/"y"', false],
    ['star', '"a"', '*', true],
    ['comma inside a tag', '"a,b"', '"a,b"', true],
    ['comma inside a tag is not a separator', '"a"', '"a,b"', false],
    ['unquoted garbage', '"a"', 'a', false],
    ['empty', '"a"', '', false],
  ])('%s', (_name, etag, header, expected) => {
    expect(ifNoneMatchMatches(etag, header)).toBe(expected);
  });

  it('notModified compares with the stored entry', () => {
    const cache = new ResponseCache({});
    const e = store(cache, request(), rule())!;
    expect(cache.notModified(e, e.etag)).toBe(true);
    expect(cache.notModified(e, `W/${e.etag}`)).toBe(true);
    expect(cache.notModified(e, '"other"')).toBe(false);
  });
});

describe('freshness', () => {
  it.each<[string, IncomingHttpHeaders, number, number]>([
    ['rule TTL when the upstream says nothing', {}, 60, 60],
    ['max-age shorter than the rule', { 'cache-control': 'max-age=10' }, 60, 10],
    ['max-age longer than the rule', { 'cache-control': 'max-age=600' }, 60, 60],
    ['s-maxage wins over max-age', { 'cache-control': 'max-age=5, s-maxage=20' }, 60, 20],
    ['Expires relative to Date', { date: 'Mon, 01 Jan 2024 00:00:00 GMT', expires: 'Mon, 01 Jan 2024 00:00:30 GMT' }, 60, 30],
  ])('%s', (_name, headers, ttlSeconds, seconds) => {
    const c = clock();
    const cache = new ResponseCache({ now: c.now });
    const r = rule({ ttlSeconds });
    expect(store(cache, request(), r, 'x', headers)).toBeDefined();
    c.advance(seconds * 1000 - 1);
    expect(cache.lookup(request(), r)).toBeDefined();
    c.advance(1);
    expect(cache.lookup(request(), r)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('parseHttpDate', () => {
  it.each<[string, number]>([
    ['Sun, 06 Nov 1994 08:49:37 GMT', 784111777000],
    ['Sun Nov  6 08:49:37 1994', 784111777000],
    ['Sunday, 06-Nov-94 08:49:37 GMT', NaN],
    ['0', NaN],
    ['-1', NaN],
    ['2024-01-01', NaN],
    ['', NaN],
  ])('%j', (input, expected) => {
    expect(parseHttpDate(input)).toBe(expected);
  });
});

describe('memory bound', () => {
  it('abandons a body over maxEntryBytes and keeps no memory', () => {
    const cache = new ResponseCache({ now: clock().now });
    const capture = cache.beginCapture(request(), rule({ maxEntryBytes: 8 }), 200, {})!;
    expect(capture.push(Buffer.alloc(6))).toBe(true);
    expect(capture.push(Buffer.alloc(6))).toBe(false);
    expect(capture.push(Buffer.alloc(1))).toBe(false);
    expect(capture.finish()).toBeUndefined();
    expect((capture as unknown as { chunks: Buffer[] }).chunks).toEqual([]);
    expect(cache.bytes).toBe(0);
    expect(cache.size).toBe(0);
    expect(cache.stats().tooLarge).toBe(1);
  });

  it('never stores an entry larger than the whole cache', () => {
    const cache = new ResponseCache({ maxBytes: 1000, now: clock().now });
    expect(store(cache, request(), rule(), Buffer.alloc(2000))).toBeUndefined();
    expect(cache.bytes).toBe(0);
    expect(cache.stats().tooLarge).toBe(1);
  });

  it('evicts the least recently used entry', () => {
    const cache = new ResponseCache({ maxBytes: 3 * 700, now: clock().now });
    const r = rule();
    const at = (p: string) => request({ path: p });
    for (const p of ['/a', '/b', '/c']) store(cache, at(p), r, Buffer.alloc(300));
    expect(cache.size).toBe(3);
    expect(cache.lookup(at('/a'), r)).toBeDefined(); // /b is now the least recently used
    store(cache, at('/d'), r, Buffer.alloc(300));
    expect(cache.lookup(at('/b'), r)).toBeUndefined();
    expect(cache.lookup(at('/a'), r)).toBeDefined();
    expect(cache.lookup(at('/d'), r)).toBeDefined();
    expect(cache.bytes).toBeLessThanOrEqual(3 * 700);
  });

  it('aborting drops the capture', () => {
    const cache = new ResponseCache({});
    const capture = cache.beginCapture(request(), rule(), 200, {})!;
    capture.push(Buffer.from('partial'));
    capture.abort();
    expect(capture.finish()).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('purge empties the cache', () => {
    const cache = new ResponseCache({});
    store(cache, request(), rule());
    store(cache, request({ path: '/b' }), rule());
    cache.purge();
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    expect(cache.lookup(request(), rule())).toBeUndefined();
  });

  it('bytes never exceed maxBytes after any sequence of stores', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 300, max: 20_000 }),
        fc.array(fc.record({ path: fc.constantFrom('/a', '/b', '/c', '/d', '/e'), lang: fc.constantFrom('en', 'fr', undefined), size: fc.integer({ min: 0, max: 8000 }), advance: fc.integer({ min: 0, max: 30_000 }) }), { maxLength: 40 }),
        (maxBytes, ops) => {
          const c = clock();
          const cache = new ResponseCache({ maxBytes, now: c.now });
          const r = rule({ maxEntryBytes: 6000 });
          for (const op of ops) {
            c.advance(op.advance);
            const req = request({ path: op.path, headers: op.lang === undefined ? {} : { 'accept-language': op.lang } });
            store(cache, req, r, Buffer.alloc(op.size), op.lang === undefined ? {} : { vary: 'accept-language' });
            cache.lookup(req, r);
            expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
