import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileRouter } from './router.js';
import type { RouteMatchResult } from './router.js';

type Kind = 'exact' | 'prefix' | 'template';
interface TestRoute {
  id: string;
  match: { methods?: string[]; host?: string; path: string; kind: Kind };
}

/** `r('id', 'GET,POST exact /a @host')`: methods (or `*`), kind, path, optional host. */
function r(id: string, spec: string): TestRoute {
  const [methods, kind, path, host] = spec.split(' ');
  const match: TestRoute['match'] = { path: path!, kind: kind as Kind };
  if (methods !== '*') match.methods = methods!.split(',');
  if (host !== undefined) match.host = host.slice(1);
  return { id, match };
}

/** The id of the matched route, or `405 A,B` / `404`. */
function outcome(result: RouteMatchResult<TestRoute>): string {
  if (result.found) return result.route.id;
  return result.allowedMethods.length ? `405 ${result.allowedMethods.join(',')}` : '404';
}

describe('compileRouter: priority', () => {
  const cases: [name: string, routes: TestRoute[], request: [method: string, host: string | undefined, path: string], expected: string][] = [
    ['exact beats template', [r('t', '* template /users/{id}'), r('e', '* exact /users/me')], ['GET', undefined, '/users/me'], 'e'],
    ['template beats prefix', [r('p', '* prefix /users'), r('t', '* template /users/{id}')], ['GET', undefined, '/users/7'], 't'],
    ['exact beats prefix', [r('p', '* prefix /a'), r('e', '* exact /a')], ['GET', undefined, '/a'], 'e'],
    ['prefix when the template does not fit', [r('p', '* prefix /users'), r('t', '* template /users/{id}')], ['GET', undefined, '/users/7/x'], 'p'],
    ['literal beats parameter at depth 1', [r('p', '* template /{a}/x'), r('l', '* template /lit/{b}')], ['GET', undefined, '/lit/x'], 'l'],
    ['literal beats parameter at depth 2', [r('p', '* template /a/{b}/c'), r('l', '* template /a/lit/{d}')], ['GET', undefined, '/a/lit/c'], 'l'],
    ['literal beats parameter at depth 3', [r('l', '* template /a/{b}/lit'), r('p', '* template /a/{b}/{c}')], ['GET', undefined, '/a/x/lit'], 'l'],
    ['backtracks from a dead literal branch', [r('l', '* template /a/lit/{z}/q'), r('p', '* template /a/{b}/y')], ['GET', undefined, '/a/lit/y'], 'p'],
    ['longest prefix wins', [r('root', '* prefix /'), r('api', '* prefix /api'), r('v1', '* prefix /api/v1')], ['GET', undefined, '/api/v1/x'], 'v1'],
    ['next longest prefix', [r('root', '* prefix /'), r('api', '* prefix /api'), r('v1', '* prefix /api/v1')], ['GET', undefined, '/api/v2'], 'api'],
    ['root prefix catches the rest', [r('root', '* prefix /'), r('api', '* prefix /api')], ['GET', undefined, '/apix'], 'root'],
    ['method-specific beats any-method', [r('any', '* exact /x'), r('get', 'GET exact /x')], ['GET', undefined, '/x'], 'get'],
    ['any-method takes the other methods', [r('any', '* exact /x'), r('get', 'GET exact /x')], ['DELETE', undefined, '/x'], 'any'],
    ['HEAD is accepted by a GET route', [r('get', 'GET exact /x')], ['HEAD', undefined, '/x'], 'get'],
    ['HEAD via GET beats any-method', [r('any', '* exact /x'), r('get', 'GET exact /x')], ['HEAD', undefined, '/x'], 'get'],
    ['explicit HEAD beats HEAD via GET', [r('get', 'GET exact /x'), r('head', 'HEAD exact /x')], ['HEAD', undefined, '/x'], 'head'],
    ['methods are case-sensitive', [r('get', 'GET exact /x')], ['get', undefined, '/x'], '405 GET,HEAD'],
    ['wrong method falls through to a lower-priority route', [r('e', 'POST exact /x'), r('root', 'GET prefix /')], ['GET', undefined, '/x'], 'root'],
    ['falls through from template to prefix', [r('t', 'PUT template /u/{id}'), r('p', 'GET prefix /u')], ['GET', undefined, '/u/1'], 'p'],
    ['falls through from literal to parameter template', [r('l', 'POST template /u/me/{x}'), r('p', 'GET template /u/{id}/{x}')], ['GET', undefined, '/u/me/1'], 'p'],
    ['405 lists the methods of every path match, in canonical order', [r('e', 'POST exact /x'), r('t', 'PUT,DELETE template /{a}'), r('o', 'GET exact /y')], ['GET', undefined, '/x'], '405 POST,PUT,DELETE'],
    ['405 adds HEAD when GET is allowed', [r('e', 'GET,OPTIONS exact /x')], ['POST', undefined, '/x'], '405 GET,HEAD,OPTIONS'],
    ['405 includes host-specific path matches', [r('h', 'PATCH exact /x @a.com'), r('e', 'POST exact /x')], ['GET', 'a.com', '/x'], '405 POST,PATCH'],
    ['404 when no path matches', [r('e', 'GET exact /x'), r('p', '* prefix /api')], ['GET', undefined, '/y'], '404'],
    ['404 with no routes', [], ['GET', undefined, '/'], '404'],
    ['exact host beats wildcard', [r('w', '* exact /x @*.a.com'), r('h', '* exact /x @www.a.com')], ['GET', 'www.a.com', '/x'], 'h'],
    ['wildcard beats host-less', [r('n', '* exact /x'), r('w', '* exact /x @*.a.com')], ['GET', 'www.a.com', '/x'], 'w'],
    ['host beats path kind', [r('n', '* exact /x'), r('h', '* prefix / @a.com')], ['GET', 'a.com', '/x'], 'h'],
    ['host routes that miss the path fall back to host-less', [r('h', '* exact /y @a.com'), r('n', '* exact /x')], ['GET', 'a.com', '/x'], 'n'],
    ['longer wildcard beats shorter', [r('w1', '* exact /x @*.a.com'), r('w2', '* exact /x @*.b.a.com')], ['GET', 'c.b.a.com', '/x'], 'w2'],
    ['wildcard matches several labels', [r('w', '* exact /x @*.a.com')], ['GET', 'c.b.a.com', '/x'], 'w'],
    ['wildcard does not match the apex', [r('w', '* exact /x @*.a.com')], ['GET', 'a.com', '/x'], '404'],
    ['host compares case-insensitively', [r('h', '* exact /x @a.com')], ['GET', 'A.Com', '/x'], 'h'],
    ['request port ignored for a route host without port', [r('h', '* exact /x @a.com')], ['GET', 'a.com:8443', '/x'], 'h'],
    ['trailing dot stripped', [r('h', '* exact /x @a.com')], ['GET', 'a.com.:80', '/x'], 'h'],
    ['route with port needs that port', [r('h', '* exact /x @a.com:8080')], ['GET', 'a.com:9090', '/x'], '404'],
    ['route with port matches that port', [r('h', '* exact /x @a.com:8080')], ['GET', 'A.com:8080', '/x'], 'h'],
    ['route with port does not match a request without port', [r('h', '* exact /x @a.com:8080')], ['GET', 'a.com', '/x'], '404'],
    ['host with port beats host without', [r('n', '* exact /x @a.com'), r('p', '* exact /x @a.com:8080')], ['GET', 'a.com:8080', '/x'], 'p'],
    ['wildcard with port', [r('w', '* exact /x @*.a.com:8080')], ['GET', 'b.a.com:8080', '/x'], 'w'],
    ['no request host: host-less routes only', [r('h', '* exact /x @a.com'), r('n', 'GET exact /x')], ['GET', undefined, '/x'], 'n'],
    ['other host: host-less routes only', [r('h', '* exact /x @a.com')], ['GET', 'b.com', '/x'], '404'],
    ['IPv6 literal host with port', [r('n', '* exact /x')], ['GET', '[::1]:8080', '/x'], 'n'],
  ];
  it.each(cases)('%s', (_name, routes, [method, host, path], expected) => {
    expect(outcome(compileRouter(routes).match(method, host, path))).toBe(expected);
  });
});

describe('compileRouter: path semantics', () => {
  const cases: [spec: string, path: string, matches: boolean][] = [
    ['* prefix /api', '/api', true],
    ['* prefix /api', '/api/', true],
    ['* prefix /api', '/api/x/y', true],
    ['* prefix /api', '/apix', false],
    ['* prefix /api', '/ap', false],
    ['* prefix /api/', '/api/', true],
    ['* prefix /api/', '/api/x', true],
    ['* prefix /api/', '/api', false],
    ['* prefix /', '/', true],
    ['* prefix /', '/anything/at/all', true],
    ['* exact /a', '/a', true],
    ['* exact /a', '/a/', false],
    ['* exact /a/', '/a', false],
    ['* exact /A', '/a', false],
    ['* template /users/{id}', '/users/7', true],
    ['* template /users/{id}', '/users/7/', false],
    ['* template /users/{id}', '/users/', false],
    ['* template /users/{id}', '/users', false],
    ['* template /users/{id}', '/users/7/x', false],
    ['* template /{a}', '/', false],
    ['* template /{a}/{b}', '/x/y', true],
    ['* exact /café', '/caf%C3%A9', true],
    ['* prefix /a^b', '/a%5Eb/c', true],
    ['* template /é/{x}', '/%C3%A9/1', true],
  ];
  it.each(cases)('%s vs %s → %s', (spec, path, matches) => {
    expect(compileRouter([r('r', spec)]).match('GET', undefined, path).found).toBe(matches);
  });

  it('never matches a path that does not start with "/"', () => {
    expect(compileRouter([r('root', '* prefix /')]).match('GET', undefined, '')).toEqual({ found: false, allowedMethods: [] });
    expect(compileRouter([r('root', '* prefix /')]).match('GET', undefined, 'x').found).toBe(false);
  });
});

describe('compileRouter: results', () => {
  it('extracts template parameters as raw segments', () => {
    const router = compileRouter([r('a', 'GET template /users/{userId}/posts/{postId}')]);
    expect(router.match('GET', undefined, '/users/u%201/posts/42')).toEqual({
      found: true,
      route: expect.objectContaining({ id: 'a' }),
      index: 0,
      params: { userId: 'u%201', postId: '42' },
    });
  });

  it('extracts the parameters of the template that matched after backtracking', () => {
    const router = compileRouter([r('l', 'GET template /a/{x}/lit/q'), r('p', 'GET template /a/{y}/{z}/w')]);
    const m = router.match('GET', undefined, '/a/1/lit/w');
    expect(m.found && m.params).toEqual({ y: '1', z: 'lit' });
  });

  it('reports the index in the routes array', () => {
    const router = compileRouter([r('a', 'GET exact /a'), r('b', 'GET exact /b'), r('c', 'GET template /c/{x}')]);
    expect(router.match('GET', undefined, '/b')).toMatchObject({ found: true, index: 1 });
    expect(router.match('GET', undefined, '/c/1')).toMatchObject({ found: true, index: 2 });
    expect(router.size).toBe(3);
  });

  it('reuses one frozen empty params object and one result per parameterless route', () => {
    const router = compileRouter([r('a', 'GET exact /a'), r('p', '* prefix /p')]);
    const first = router.match('GET', undefined, '/a');
    const second = router.match('GET', undefined, '/a');
    const other = router.match('GET', undefined, '/p/x');
    expect(first).toBe(second);
    expect(first.found && other.found && first.params === other.params).toBe(true);
    expect(first.found && Object.isFrozen(first.params)).toBe(true);
    expect(first.found && Object.keys(first.params)).toEqual([]);
  });

  it('keeps a parameter named __proto__ as an own property', () => {
    const m = compileRouter([r('a', 'GET template /x/{__proto__}')]).match('GET', undefined, '/x/1');
    expect(m.found && Object.getOwnPropertyDescriptor(m.params, '__proto__')?.value).toBe('1');
  });

  it('does not let one match leak parameters into the next', () => {
    const router = compileRouter([r('a', 'GET template /a/{x}'), r('b', 'GET template /b/{y}/{z}')]);
    expect(router.match('GET', undefined, '/b/1/2')).toMatchObject({ params: { y: '1', z: '2' } });
    expect(router.match('GET', undefined, '/a/3')).toMatchObject({ params: { x: '3' } });
  });
});

// ---------------------------------------------------------------- properties

const HOSTS = [undefined, 'a.com', 'a.com:8080', '*.a.com', '*.b.a.com'] as const;
const REQUEST_HOSTS = [undefined, 'a.com', 'A.COM:8080', 'x.a.com', 'x.b.a.com:8080', 'b.com', 'a.com.'] as const;
const METHOD_SETS = [undefined, ['GET'], ['POST'], ['HEAD'], ['GET', 'POST'], ['DELETE', 'PUT']] as const;
const LITERALS = ['a', 'b', 'c'] as const;

const arbRoute = fc
  .record({
    host: fc.constantFrom(...HOSTS),
    methods: fc.constantFrom(...METHOD_SETS),
    kind: fc.constantFrom<Kind>('exact', 'prefix', 'template'),
    segments: fc.array(fc.constantFrom<string>(...LITERALS, '{}'), { minLength: 1, maxLength: 3 }),
    trailingSlash: fc.boolean(),
  })
  .map(({ host, methods, kind, segments, trailingSlash }) => {
    let segs = segments;
    if (kind !== 'template') segs = segs.map((s) => (s === '{}' ? 'x' : s));
    else if (!segs.includes('{}')) segs = [...segs.slice(0, -1), '{}'];
    const named = segs.map((s, i) => (s === '{}' ? `{p${i}}` : s));
    const path = '/' + named.join('/') + (trailingSlash && kind === 'prefix' ? '/' : '');
    const match: TestRoute['match'] = { path, kind };
    if (methods) match.methods = [...methods];
    if (host) match.host = host;
    return match;
  });

/** Routes with unique ids and no two matching the same requests (the bundle schema's rule). */
const arbRoutes = fc.array(arbRoute, { minLength: 1, maxLength: 14 }).map((matches) => {
  const seen = new Set<string>();
  const routes: TestRoute[] = [];
  for (const m of matches) {
    const shape = m.kind === 'template' ? m.path.replace(/\{[^}]+\}/g, '{}') : m.path;
    const keys = (m.methods ?? ['*']).map((method) => `${m.host ?? ''} ${m.kind} ${shape} ${method}`);
    if (keys.some((k) => seen.has(k))) continue;
    for (const k of keys) seen.add(k);
    routes.push({ id: `r${routes.length}`, match: m });
  }
  return routes;
});

const arbRequest = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'),
  host: fc.constantFrom(...REQUEST_HOSTS),
  path: fc
    .tuple(fc.array(fc.constantFrom('a', 'b', 'c', 'x', 'y'), { maxLength: 4 }), fc.boolean())
    .map(([segs, slash]) => '/' + segs.join('/') + (slash && segs.length ? '/' : '')),
});

type Request = { method: string; host: string | undefined; path: string };

/** Routes plus requests, half of them aimed at one of the routes (so that matches and 405s are common). */
const arbScenario = arbRoutes.chain((routes) => {
  const aimed: fc.Arbitrary<Request> =
    routes.length === 0
      ? arbRequest
      : fc
          .record({
            route: fc.constantFrom(...routes),
            fill: fc.constantFrom('a', 'b', 'x'),
            extra: fc.constantFrom('', '/', '/y', '/a/b'),
            method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'),
            host: fc.constantFrom(...REQUEST_HOSTS),
            ownHost: fc.boolean(),
          })
          .map(({ route, fill, extra, method, host, ownHost }) => ({
            method,
            host: ownHost && route.match.host ? route.match.host.replace('*', 'q') : host,
            path: route.match.path.replace(/\{[^}]+\}/g, fill).replace(/\/$/, '') + extra,
          }));
  return fc.tuple(fc.constant(routes), fc.array(fc.oneof({ arbitrary: arbRequest, weight: 1 }, { arbitrary: aimed, weight: 3 }), { minLength: 1, maxLength: 10 }));
});

/** A slow, obviously-correct reference: filter every route, sort by the documented priority, take the first accepting one. */
function reference(routes: readonly TestRoute[], method: string, host: string | undefined, path: string): string {
  let reqName: string | undefined;
  let reqFull: string | undefined;
  if (host !== undefined) {
    const [name = '', port] = host.toLowerCase().split(':');
    reqName = name.replace(/\.$/, '');
    reqFull = port ? `${reqName}:${port}` : reqName;
  }
  const hostRank = (h: string | undefined): number[] | undefined => {
    if (h === undefined) return [3];
    if (reqName === undefined) return undefined;
    const hasPort = h.includes(':');
    const subject = hasPort ? reqFull! : reqName;
    if (!h.startsWith('*.')) return h === subject ? [hasPort ? 0 : 1] : undefined;
    const suffix = h.slice(1);
    if (!(subject.length > suffix.length && subject.endsWith(suffix))) return undefined;
    return [2, -suffix.split(':')[0]!.length, hasPort ? 0 : 1];
  };
  const pathRank = (m: TestRoute['match']): number[] | undefined => {
    if (m.kind === 'exact') return path === m.path ? [0] : undefined;
    if (m.kind === 'prefix') {
      const ok = m.path.endsWith('/') ? path.startsWith(m.path) : path === m.path || path.startsWith(m.path + '/');
      return ok ? [2, -m.path.length] : undefined;
    }
    const t = m.path.split('/');
    const p = path.split('/');
    if (t.length !== p.length) return undefined;
    const rank = [1];
    for (let i = 1; i < t.length; i++) {
      const isParam = t[i]!.startsWith('{');
      if (isParam ? p[i] === '' : p[i] !== t[i]) return undefined;
      rank.push(isParam ? 1 : 0);
    }
    return rank;
  };
  const methodRank = (methods: readonly string[] | undefined): number => {
    if (methods === undefined) return 2;
    if (methods.includes(method)) return 0;
    return method === 'HEAD' && methods.includes('GET') ? 1 : 3;
  };
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = (a[i] ?? -1) - (b[i] ?? -1);
      if (d !== 0) return d;
    }
    return 0;
  };
  const candidates = routes.flatMap((route, index) => {
    const h = hostRank(route.match.host);
    const p = h && pathRank(route.match);
    return h && p ? [{ route, key: [...h, ...p], m: methodRank(route.match.methods), index }] : [];
  });
  candidates.sort((a, b) => compare(a.key, b.key) || a.m - b.m || a.index - b.index);
  const winner = candidates.find((c) => c.m < 3);
  if (winner) return winner.route.id;
  const allowed = new Set<string>();
  for (const c of candidates) for (const m of c.route.match.methods ?? []) allowed.add(m === 'GET' ? 'GET,HEAD' : m);
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  const list = [...new Set([...allowed].flatMap((m) => m.split(',')))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return list.length ? `405 ${list.join(',')}` : '404';
}

describe('compileRouter: properties', () => {
  it('agrees with a brute-force reference implementation of the priority rules', () => {
    fc.assert(
      fc.property(arbScenario, ([routes, requests]) => {
        const router = compileRouter(routes);
        for (const { method, host, path } of requests) {
          expect(outcome(router.match(method, host, path))).toBe(reference(routes, method, host, path));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('does not depend on the order of the routes array', () => {
    fc.assert(
      fc.property(
        arbScenario.chain(([routes, requests]) =>
          fc.tuple(fc.constant(routes), fc.shuffledSubarray(routes, { minLength: routes.length, maxLength: routes.length }), fc.constant(requests)),
        ),
        ([routes, shuffled, requests]) => {
          const a = compileRouter(routes);
          const b = compileRouter(shuffled);
          for (const { method, host, path } of requests) {
            const ra = a.match(method, host, path);
            const rb = b.match(method, host, path);
            expect(outcome(rb)).toBe(outcome(ra));
            if (ra.found && rb.found) expect(rb.params).toEqual(ra.params);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
