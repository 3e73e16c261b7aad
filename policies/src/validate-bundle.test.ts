// validateBundle / parseBundle: the demo bundle, every error of a corrupted copy, and never throwing.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssuePath, parseBundle, validateBundle } from './validate-bundle.js';
import type { BundleIssue } from './validate-bundle.js';

const examples = new URL('../examples/', import.meta.url);
const readText = (name: string): string => readFileSync(new URL(name, examples), 'utf8');
const readJson = (name: string): unknown => JSON.parse(readText(name));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test drafts are edited freely before validation
type Draft = Record<string, any>;
const demo = (): Draft => readJson('demo.bundle.json') as Draft;

const where = (issues: readonly BundleIssue[]) => issues.map(({ path, pointer }) => ({ path, pointer }));
const issuesOf = (input: unknown): BundleIssue[] => {
  const r = validateBundle(input);
  return r.ok ? [] : r.issues;
};

describe('the example bundles', () => {
  it('demo.bundle.json is valid', () => {
    expect(issuesOf(demo())).toEqual([]);
  });

  it('minimal.bundle.json is valid and has one public route', () => {
    const r = validateBundle(readJson('minimal.bundle.json'));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.bundle.routes).toMatchObject([{ auth: { required: false } }]);
  });

  it('the demo API keys are stored as the SHA-256 of the DEMO-ONLY plaintexts', () => {
    const credentials = readJson('DEMO-ONLY-credentials.json') as Draft;
    const keys = demo().authentication.apiKeys as Draft[];
    const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(credentials.apiKeys.viewer).toMatch(/^agc_demo_[A-Za-z0-9]{32}$/);
    expect(credentials.apiKeys.operator).toMatch(/^agc_demo_[A-Za-z0-9]{32}$/);
    expect(keys.map((k) => [k.principal, k.roles, k.sha256])).toEqual([
      ['svc-dashboard', ['viewer'], sha256(credentials.apiKeys.viewer)],
      ['svc-ci', ['operator'], sha256(credentials.apiKeys.operator)],
    ]);
    expect(readText('demo.bundle.json')).not.toContain('agc_demo_');
  });

  it('the demo JWKS holds the public half of the DEMO-ONLY private key', () => {
    const { d, ...publicPart } = readJson('DEMO-ONLY-jwt-private-key.jwk.json') as Draft;
    expect(d).toEqual(expect.any(String));
    const issuer = demo().authentication.jwt[0];
    expect(issuer).toMatchObject({ id: 'demo-issuer', issuer: 'https://auth.demo.agentcore.local', audiences: ['agentcore-api'], algorithms: ['ES256'] });
    expect(issuer.jwks.keys).toEqual([publicPart]);
    expect(publicPart.kid).toBe('demo-es256-1');
  });

  it('a token from mint-demo-jwt.mjs verifies against the demo JWKS', async () => {
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const script = new URL('mint-demo-jwt.mjs', examples).href;
    const { mintDemoJwt } = (await import(script)) as { mintDemoJwt: (o: Draft) => Promise<string> };
    const token = await mintDemoJwt({ sub: 'alice', roles: ['operator'], scope: 'agents:read', ttlSeconds: 60 });
    const issuer = demo().authentication.jwt[0];
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks), {
      issuer: issuer.issuer,
      audience: issuer.audiences[0],
      algorithms: issuer.algorithms,
    });
    expect(payload).toMatchObject({ sub: 'alice', roles: ['operator'], scope: 'agents:read' });
  });
});

describe('a corrupted copy of the demo bundle', () => {
  it('reports every field error with its path and JSON pointer', () => {
    const b = demo();
    b.service = 'Agents Service';
    b.revision = '1';
    b.routes[0].extra = 1;
    b.routes[2].match.path = 'api/v1/agents';
    b.routes[3].match.methods = ['FETCH'];
    b.routes[4].sse = 'true';
    b.routes[5].permissions = ['agents:*'];
    b.routes[6].cors = { allowOrigins: ['ftp://evil.example'] };
    b.routes[7].headers = { request: { set: { 'a/b~c': 'x' } } };
    b.authentication.jwt[0].jwks.keys[0].d = 'private';
    b.authentication.apiKeys[1].sha256 = 'agc_demo_plaintext';
    b.roles[1].inherits = 'viewer';
    b.rateLimits[0].rate.requests = 0;
    b.cors.allowOrigins = ['*'];
    b.cors.allowCredentials = true;
    b.logging.level = 'verbose';
    b.upstreams = { 'bad name': {} };

    const issues = issuesOf(b);
    const expected = [
      ['service', '/service'],
      ['revision', '/revision'],
      ['routes[0].extra', '/routes/0/extra'],
      ['routes[2].match.path', '/routes/2/match/path'],
      ['routes[3].match.methods[0]', '/routes/3/match/methods/0'],
      ['routes[4].sse', '/routes/4/sse'],
      ['routes[5].permissions[0]', '/routes/5/permissions/0'],
      ['routes[6].cors.allowOrigins[0]', '/routes/6/cors/allowOrigins/0'],
      ['routes[7].headers.request.set.a/b~c', '/routes/7/headers/request/set/a~1b~0c'],
      ['authentication.jwt[0].jwks.keys[0].d', '/authentication/jwt/0/jwks/keys/0/d'],
      ['authentication.apiKeys[1].sha256', '/authentication/apiKeys/1/sha256'],
      ['roles[1].inherits', '/roles/1/inherits'],
      ['rateLimits[0].rate.requests', '/rateLimits/0/rate/requests'],
      ['cors.allowOrigins', '/cors/allowOrigins'],
      ['logging.level', '/logging/level'],
      ['upstreams.bad name', '/upstreams/bad name'],
    ].map(([path, pointer]) => ({ path, pointer }));
    expect(where(issues)).toEqual(expect.arrayContaining(expected));
    expect(issues).toHaveLength(expected.length);
    const message = (path: string) => issues.find((i) => i.path === path)?.message;
    expect(message('routes[0].extra')).toBe('unknown key "extra"');
    expect(message('routes[6].cors.allowOrigins[0]')).toMatch(/origin like https:\/\/app\.example\.com/);
    expect(message('routes[7].headers.request.set.a/b~c')).toMatch(/^invalid key: must be an HTTP header name/);
    expect(message('upstreams.bad name')).toMatch(/^invalid key: must be 1-64 characters/);
    expect(message('authentication.jwt[0].jwks.keys[0].d')).toMatch(/public keys only/);
  });

  it('reports every cross-reference error at once', () => {
    const b = demo();
    b.routes[3].id = 'agents-list';
    b.routes[5].rateLimits = ['demo-writes', 'burst-writes'];
    b.routes[1].permissions = ['status:read'];
    b.routes.push({ id: 'agents-list-again', match: { methods: ['GET'], path: '/api/v1/agents' } });
    b.roles[0].inherits = ['operator'];
    b.roles[1].inherits = ['viewer', 'admin'];
    b.rateLimits[1].algorithm = 'fixed-window';
    b.authentication.apiKeys[1].id = 'demo-viewer';

    expect(where(issuesOf(b)).map((i) => i.path).sort()).toEqual(
      [
        'routes[3].id',
        'routes[5].rateLimits[1]',
        'routes[1].permissions',
        `routes[${b.routes.length - 1}].match`,
        'roles[1].inherits[1]',
        'roles[0].inherits',
        'rateLimits[1].rate.burst',
        'authentication.apiKeys[1].id',
      ].sort(),
    );
  });

  it('reports the choices when no branch of a union fits', () => {
    const b = demo();
    b.routes[0].cors = 'yes';
    expect(issuesOf(b)).toEqual([
      { path: 'routes[0].cors', pointer: '/routes/0/cors', message: 'Invalid input: expected object, received string, or expected false' },
    ]);
  });
});

describe('parseBundle', () => {
  it('parses and validates JSON text', () => {
    expect(parseBundle(readText('demo.bundle.json')).ok).toBe(true);
  });

  it.each(['', '{', '{"version": 1,}', 'undefined', '{"a": NaN}'])('reports broken JSON %j as one issue at the root', (text) => {
    const r = parseBundle(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ path: '(root)', pointer: '' });
      expect(r.issues[0]!.message).toMatch(/^not valid JSON: /);
    }
  });

  it.each([
    ['null', '(root)'],
    ['[]', '(root)'],
    ['"bundle"', '(root)'],
    ['{}', 'version'],
  ])('reports valid JSON that is no bundle (%s)', (text, firstPath) => {
    const r = parseBundle(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toBe(firstPath);
  });

  it('does not let "__proto__" keys pollute prototypes', () => {
    const text = readText('demo.bundle.json')
      .replace('"version": 1,', '"version": 1, "__proto__": {"polluted": true},')
      .replace('"x-gateway": "agentcore-demo"', '"x-gateway": "agentcore-demo", "__proto__": "x"');
    const r = parseBundle(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['__proto__']);
    expect(({} as Draft).polluted).toBeUndefined();
  });
});

describe('formatIssuePath', () => {
  it.each([
    [[], '(root)'],
    [['routes', 2, 'match', 'path'], 'routes[2].match.path'],
    [[0, 'a'], '[0].a'],
    [['upstreams', 'a.b'], 'upstreams.a.b'],
  ] as [PropertyKey[], string][])('%j -> %s', (path, text) => {
    expect(formatIssuePath(path)).toBe(text);
  });
});

/** Every path to a value inside `value` (object keys and array indexes), the root excluded. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function withValueAt(root: Draft, path: (string | number)[], value: unknown): Draft {
  const copy = structuredClone(root);
  let node: Draft = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]!] = value;
  return copy;
}

/** The result is well-formed: a bundle, or at least one issue whose pointer matches its path. */
function expectWellFormed(input: unknown): void {
  const r = validateBundle(input);
  if (r.ok) {
    // Defaults applied once are stable: the output validates to itself.
    expect(validateBundle(r.bundle)).toEqual(r);
    return;
  }
  expect(r.issues.length).toBeGreaterThan(0);
  for (const issue of r.issues) {
    expect(typeof issue.message).toBe('string');
    expect(issue.pointer === '' ? issue.path === '(root)' : issue.pointer.startsWith('/')).toBe(true);
  }
}

describe('validateBundle never throws', () => {
  const base = demo();
  const paths = pathsOf(base);

  it('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expectWellFormed(value)), { numRuns: 500 });
  });

  it('on arbitrary objects with bundle-like keys', () => {
    const key = fc.constantFrom(...new Set(paths.flat().filter((k): k is string => typeof k === 'string')));
    const draft = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }));
    fc.assert(fc.property(draft, (value) => expectWellFormed({ version: 1, service: 'agents', revision: 1, routes: [], ...value })), { numRuns: 300 });
  });

  it('on the demo bundle with one nested value replaced by a random JSON value', () => {
    const mutation = fc.tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(fc.property(mutation, ([path, value]) => expectWellFormed(withValueAt(base, path, value))), { numRuns: 1000 });
  });

  it('on the demo bundle with several nested values replaced', () => {
    const mutations = fc.array(fc.tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 })), { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(mutations, (list) => {
        let b = base;
        for (const [path, value] of list) {
          try {
            b = withValueAt(b, path, value);
          } catch {
            // an earlier mutation removed this path's parent: skip it
          }
        }
        expectWellFormed(b);
      }),
      { numRuns: 500 },
    );
  });

  it('on the demo bundle with a value replaced by a scalar of another type', () => {
    const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string(), fc.constant([]), fc.constant({}));
    fc.assert(fc.property(fc.constantFrom(...paths), scalar, (path, value) => expectWellFormed(withValueAt(base, path, value))), { numRuns: 1000 });
  });
});
