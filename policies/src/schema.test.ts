// Table-driven: every rule and refinement of the bundle schema, accepted and rejected, with the path reported.
import { describe, expect, it } from 'vitest';
import {
  Authentication,
  Logging,
  PermissionPattern,
  PolicyBundle,
  RouteAuth,
  SecurityHeaders,
  Upstream,
} from './schema.js';
import type { PolicyBundleInput } from './schema.js';
import { formatIssuePath } from './validate-bundle.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test drafts are edited freely before validation
type Draft = Record<string, any>;

/** A small valid bundle touching every section; each case changes one thing. */
function base(): Draft {
  return {
    version: 1,
    service: 'agents',
    revision: 3,
    routes: [
      { id: 'health', match: { methods: ['GET'], path: '/healthz' }, auth: { required: false } },
      {
        id: 'agents-get',
        match: { methods: ['GET'], path: '/api/v1/agents/{id}', kind: 'template' },
        permissions: ['agents:read'],
        rateLimits: ['reads'],
        upstream: 'pool',
      },
    ],
    upstreams: { pool: { targets: [{ name: 'a', url: 'http://10.0.0.1:8080' }] } },
    authentication: {
      jwt: [{ id: 'idp', issuer: 'https://idp.example.com', audiences: ['api'], jwksUri: 'https://idp.example.com/jwks' }],
      apiKeys: [{ id: 'k1', sha256: 'a'.repeat(64), principal: 'svc', roles: ['viewer'] }],
      introspection: [{ id: 'intro', endpoint: 'https://idp.example.com/introspect', clientId: 'sidecar', clientSecretEnv: 'INTROSPECTION_SECRET' }],
    },
    roles: [
      { name: 'viewer', permissions: ['agents:read'] },
      { name: 'operator', permissions: ['agents:*'], inherits: ['viewer'] },
    ],
    rateLimits: [{ id: 'reads', rate: { requests: 10, periodSeconds: 1, burst: 20 }, quotas: [{ requests: 1000, period: 'day' }] }],
    cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true },
  };
}

type Mutate = (b: Draft) => void;

/** Paths (as `routes[1].match.path`) of the issues of the mutated base bundle; [] when accepted. */
function issuePaths(mutate: Mutate): string[] {
  const b = base();
  mutate(b);
  const r = PolicyBundle.safeParse(b);
  return r.success ? [] : r.error.issues.map((i) => formatIssuePath(i.path));
}

function messages(mutate: Mutate): string[] {
  const b = base();
  mutate(b);
  const r = PolicyBundle.safeParse(b);
  return r.success ? [] : r.error.issues.map((i) => i.message);
}

it('the base bundle of these tables is valid', () => {
  expect(issuePaths(() => {})).toEqual([]);
});

const route = (b: Draft, i = 1) => b.routes[i];
const jwt = (b: Draft) => b.authentication.jwt[0];

// [case, mutation, expected path of the one issue]
const rejected: [string, Mutate, string][] = [
  // top level
  ['version other than 1', (b) => (b.version = 2), 'version'],
  ['service not a DNS label', (b) => (b.service = 'Agents'), 'service'],
  ['service with a trailing dash', (b) => (b.service = 'agents-'), 'service'],
  ['negative revision', (b) => (b.revision = -1), 'revision'],
  ['fractional revision', (b) => (b.revision = 1.5), 'revision'],
  ['hash without sha256: prefix', (b) => (b.hash = 'f'.repeat(64)), 'hash'],
  ['createdAt not RFC 3339', (b) => (b.createdAt = '2024-01-01 10:00'), 'createdAt'],
  ['unknown top-level key', (b) => (b.extra = true), '(root)'],
  ['routes missing', (b) => delete b.routes, 'routes'],
  // routes: ids, match
  ['route id starting with "-"', (b) => (route(b).id = '-agents'), 'routes[1].id'],
  ['route id longer than 64', (b) => (route(b).id = 'a'.repeat(65)), 'routes[1].id'],
  ['lower-case method', (b) => (route(b).match.methods = ['get']), 'routes[1].match.methods[0]'],
  ['"*" as a method', (b) => (route(b).match.methods = ['*']), 'routes[1].match.methods[0]'],
  ['empty methods', (b) => (route(b).match.methods = []), 'routes[1].match.methods'],
  ['upper-case host', (b) => (route(b).match.host = 'API.example.com'), 'routes[1].match.host'],
  ['path without leading "/"', (b) => (route(b, 0).match.path = 'healthz'), 'routes[0].match.path'],
  ['unknown key in match', (b) => (route(b).match.query = 'x'), 'routes[1].match'],
  ['braces in an exact path', (b) => (route(b).match.kind = 'exact'), 'routes[1].match.path'],
  ['braces in a prefix path', (b) => (route(b).match.kind = 'prefix'), 'routes[1].match.path'],
  ['template without a parameter', (b) => (route(b).match.path = '/api/v1/agents'), 'routes[1].match.path'],
  ['template parameter inside a segment', (b) => (route(b).match.path = '/api/v1/agents/x{id}'), 'routes[1].match.path'],
  ['template parameter name starting with a digit', (b) => (route(b).match.path = '/api/v1/agents/{1d}'), 'routes[1].match.path'],
  ['template parameter used twice', (b) => (route(b).match.path = '/a/{id}/b/{id}'), 'routes[1].match.path'],
  ['template ending with "/"', (b) => (route(b).match.path = '/api/v1/agents/{id}/'), 'routes[1].match.path'],
  ['"//" in a path', (b) => (route(b, 0).match.path = '/a//b'), 'routes[0].match.path'],
  ['"/./" in a path', (b) => (route(b, 0).match.path = '/a/./b'), 'routes[0].match.path'],
  ['"/../" in a path', (b) => (route(b, 0).match.path = '/a/../b'), 'routes[0].match.path'],
  ['path ending in "/.."', (b) => (route(b, 0).match.path = '/a/..'), 'routes[0].match.path'],
  ['percent-encoding in a path', (b) => (route(b, 0).match.path = '/a%2Fb'), 'routes[0].match.path'],
  ['backslash in a path', (b) => (route(b, 0).match.path = '/a\\b'), 'routes[0].match.path'],
  ['query in a path', (b) => (route(b, 0).match.path = '/a?x=1'), 'routes[0].match.path'],
  ['fragment in a path', (b) => (route(b, 0).match.path = '/a#x'), 'routes[0].match.path'],
  // routes: permissions and the rest
  ['route permission with a wildcard', (b) => (route(b).permissions = ['agents:*']), 'routes[1].permissions[0]'],
  ['route permission "*"', (b) => (route(b).permissions = ['*']), 'routes[1].permissions[0]'],
  ['route permission without action', (b) => (route(b).permissions = ['agents']), 'routes[1].permissions[0]'],
  ['route permission in upper case', (b) => (route(b).permissions = ['Agents:read']), 'routes[1].permissions[0]'],
  ['route permission with three parts', (b) => (route(b).permissions = ['a:b:c']), 'routes[1].permissions[0]'],
  ['unknown auth method', (b) => (route(b).auth = { methods: ['basic'] }), 'routes[1].auth.methods[0]'],
  ['resource in upper case', (b) => (route(b).resource = 'Agents'), 'routes[1].resource'],
  ['negative maxBodyBytes', (b) => (route(b).maxBodyBytes = -1), 'routes[1].maxBodyBytes'],
  ['content type without subtype', (b) => (route(b).contentTypes = ['json']), 'routes[1].contentTypes[0]'],
  ['content type with parameters', (b) => (route(b).contentTypes = ['application/json; charset=utf-8']), 'routes[1].contentTypes[0]'],
  ['empty contentTypes', (b) => (route(b).contentTypes = []), 'routes[1].contentTypes'],
  ['header name with a space', (b) => (route(b).headers = { request: { remove: ['x bad'] } }), 'routes[1].headers.request.remove[0]'],
  ['header value with a newline', (b) => (route(b).headers = { response: { set: { 'x-a': 'a\nb' } } }), 'routes[1].headers.response.set.x-a'],
  ['unknown header transform', (b) => (route(b).headers = { request: { append: {} } }), 'routes[1].headers.request'],
  ['cache ttl 0', (b) => (route(b).cache = { ttlSeconds: 0 }), 'routes[1].cache.ttlSeconds'],
  ['cache without ttl', (b) => (route(b).cache = {}), 'routes[1].cache.ttlSeconds'],
  ['websocket token in a cookie', (b) => (route(b).websocket = { tokenIn: ['cookie'] }), 'routes[1].websocket.tokenIn[0]'],
  ['websocket idle timeout under 1 s', (b) => (route(b).websocket = { idleTimeoutMs: 999 }), 'routes[1].websocket.idleTimeoutMs'],
  ['sse not a boolean', (b) => (route(b).sse = 'yes'), 'routes[1].sse'],
  // routes: cross-references (bundle-level refinement)
  ['duplicate route id', (b) => (route(b).id = 'health'), 'routes[1].id'],
  ['unknown upstream', (b) => (route(b).upstream = 'elsewhere'), 'routes[1].upstream'],
  ['unknown rate limit', (b) => (route(b).rateLimits = ['reads', 'writes']), 'routes[1].rateLimits[1]'],
  [
    'auth method not configured',
    (b) => {
      b.authentication.introspection = [];
      route(b).auth = { methods: ['jwt', 'introspection'] };
    },
    'routes[1].auth.methods',
  ],
  ['public route with permissions', (b) => (route(b, 0).permissions = ['health:read']), 'routes[0].permissions'],
  ['public route with scopes', (b) => (route(b, 0).scopes = ['health']), 'routes[0].permissions'],
  [
    'two routes for the same method and path',
    (b) => b.routes.push({ id: 'health-2', match: { methods: ['HEAD', 'GET'], path: '/healthz' }, auth: { required: false } }),
    'routes[2].match',
  ],
  [
    'two templates differing only in parameter names',
    (b) => b.routes.push({ id: 'agents-get-2', match: { methods: ['GET'], path: '/api/v1/agents/{agentId}', kind: 'template' } }),
    'routes[2].match',
  ],
  [
    'two routes without methods on the same prefix',
    (b) => b.routes.push({ id: 'p1', match: { path: '/p', kind: 'prefix' } }, { id: 'p2', match: { path: '/p', kind: 'prefix' } }),
    'routes[3].match',
  ],
  // upstreams
  ['upstream name not an identifier', (b) => (b.upstreams['-pool'] = {}), 'upstreams.-pool'],
  ['target url not http(s)', (b) => (b.upstreams.pool.targets[0].url = 'ftp://10.0.0.1'), 'upstreams.pool.targets[0].url'],
  ['target weight 0', (b) => (b.upstreams.pool.targets[0].weight = 0), 'upstreams.pool.targets[0].weight'],
  ['empty targets', (b) => (b.upstreams.pool.targets = []), 'upstreams.pool.targets'],
  [
    'duplicate target name',
    (b) => b.upstreams.pool.targets.push({ name: 'a', url: 'http://10.0.0.2:8080' }),
    'upstreams.pool.targets[1].name',
  ],
  [
    'consistent-hash without hashOn',
    (b) => (b.upstreams.pool.loadBalancing = { algorithm: 'consistent-hash' }),
    'upstreams.pool.loadBalancing.hashOn',
  ],
  [
    'unknown hashOn type',
    (b) => (b.upstreams.pool.loadBalancing = { algorithm: 'consistent-hash', hashOn: { type: 'query' } }),
    'upstreams.pool.loadBalancing.hashOn.type',
  ],
  ['retry on 500', (b) => (b.upstreams.pool.retries = { attempts: 2, on: ['500'] }), 'upstreams.pool.retries.on[0]'],
  ['more than 10 retries', (b) => (b.upstreams.pool.retries = { attempts: 11 }), 'upstreams.pool.retries.attempts'],
  ['health check path without "/"', (b) => (b.upstreams.pool.healthCheck = { path: 'health' }), 'upstreams.pool.healthCheck.path'],
  ['failure ratio 0', (b) => (b.upstreams.pool.circuitBreaker = { failureRatio: 0 }), 'upstreams.pool.circuitBreaker.failureRatio'],
  // authentication: JWT
  ['JWT issuer with both jwksUri and jwks', (b) => (jwt(b).jwks = { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] }), 'authentication.jwt[0].jwksUri'],
  ['JWT issuer with neither jwksUri nor jwks', (b) => delete jwt(b).jwksUri, 'authentication.jwt[0].jwksUri'],
  ['jwksUri not http(s)', (b) => (jwt(b).jwksUri = 'file:///etc/jwks.json'), 'authentication.jwt[0].jwksUri'],
  ['empty JWKS', (b) => { delete jwt(b).jwksUri; jwt(b).jwks = { keys: [] }; }, 'authentication.jwt[0].jwks.keys'],
  ['JWK without kty', (b) => { delete jwt(b).jwksUri; jwt(b).jwks = { keys: [{ kid: 'k' }] }; }, 'authentication.jwt[0].jwks.keys[0].kty'],
  ...(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const).map((member): [string, Mutate, string] => [
    `private JWK member "${member}" in the JWKS`,
    (b) => {
      delete jwt(b).jwksUri;
      jwt(b).jwks = { keys: [{ kty: member === 'k' ? 'oct' : 'RSA', n: 'n', e: 'AQAB', [member]: 'secret' }] };
    },
    `authentication.jwt[0].jwks.keys[0].${member}`,
  ]),
  ['symmetric JWS algorithm', (b) => (jwt(b).algorithms = ['HS256']), 'authentication.jwt[0].algorithms[0]'],
  ['"none" algorithm', (b) => (jwt(b).algorithms = ['none']), 'authentication.jwt[0].algorithms[0]'],
  ['empty algorithms', (b) => (jwt(b).algorithms = []), 'authentication.jwt[0].algorithms'],
  ['no audience', (b) => (jwt(b).audiences = []), 'authentication.jwt[0].audiences'],
  ['clock tolerance over 30 s', (b) => (jwt(b).clockToleranceSeconds = 31), 'authentication.jwt[0].clockToleranceSeconds'],
  ['empty claim path', (b) => (jwt(b).claims = { roles: '' }), 'authentication.jwt[0].claims.roles'],
  [
    'duplicate JWT issuer id',
    (b) => b.authentication.jwt.push({ id: 'idp', issuer: 'https://other.example.com', audiences: ['api'], jwksUri: 'https://other.example.com/jwks' }),
    'authentication.jwt[1].id',
  ],
  [
    'duplicate JWT issuer',
    (b) => b.authentication.jwt.push({ id: 'idp2', issuer: 'https://idp.example.com', audiences: ['api'], jwksUri: 'https://idp.example.com/jwks' }),
    'authentication.jwt[1].issuer',
  ],
  // authentication: API keys and introspection
  ['API key hash in upper case', (b) => (b.authentication.apiKeys[0].sha256 = 'A'.repeat(64)), 'authentication.apiKeys[0].sha256'],
  ['API key plaintext instead of hash', (b) => (b.authentication.apiKeys[0].sha256 = 'agc_live_abc'), 'authentication.apiKeys[0].sha256'],
  ['API key without principal', (b) => delete b.authentication.apiKeys[0].principal, 'authentication.apiKeys[0].principal'],
  [
    'API key expiring before it starts',
    (b) => Object.assign(b.authentication.apiKeys[0], { notBefore: '2025-02-01T00:00:00Z', expiresAt: '2025-01-01T00:00:00Z' }),
    'authentication.apiKeys[0].expiresAt',
  ],
  [
    'API key expiring when it starts',
    (b) => Object.assign(b.authentication.apiKeys[0], { notBefore: '2025-01-01T00:00:00Z', expiresAt: '2025-01-01T01:00:00+01:00' }),
    'authentication.apiKeys[0].expiresAt',
  ],
  ['API key expiresAt without offset', (b) => (b.authentication.apiKeys[0].expiresAt = '2025-01-01T00:00:00'), 'authentication.apiKeys[0].expiresAt'],
  [
    'duplicate API key id',
    (b) => b.authentication.apiKeys.push({ id: 'k1', sha256: 'b'.repeat(64), principal: 'other' }),
    'authentication.apiKeys[1].id',
  ],
  [
    'duplicate API key hash',
    (b) => b.authentication.apiKeys.push({ id: 'k2', sha256: 'a'.repeat(64), principal: 'other' }),
    'authentication.apiKeys[1].sha256',
  ],
  ['introspection secret inline', (b) => (b.authentication.introspection[0].clientSecret = 's3cret'), 'authentication.introspection[0]'],
  ['introspection secret env in lower case', (b) => (b.authentication.introspection[0].clientSecretEnv = 'secret'), 'authentication.introspection[0].clientSecretEnv'],
  ['introspection endpoint not http(s)', (b) => (b.authentication.introspection[0].endpoint = 'ldap://idp'), 'authentication.introspection[0].endpoint'],
  ['introspection cache over 1 h', (b) => (b.authentication.introspection[0].cacheTtlSeconds = 3601), 'authentication.introspection[0].cacheTtlSeconds'],
  [
    'duplicate introspection id',
    (b) => b.authentication.introspection.push({ ...b.authentication.introspection[0] }),
    'authentication.introspection[1].id',
  ],
  // roles
  ['role permission without action', (b) => (b.roles[0].permissions = ['agents']), 'roles[0].permissions[0]'],
  ['role permission in upper case', (b) => (b.roles[0].permissions = ['AGENTS:read']), 'roles[0].permissions[0]'],
  ['role permission with a partial wildcard', (b) => (b.roles[0].permissions = ['agents:re*']), 'roles[0].permissions[0]'],
  ['role permission with three parts', (b) => (b.roles[0].permissions = ['a:b:c']), 'roles[0].permissions[0]'],
  ['role name with a space', (b) => (b.roles[1].name = 'oper ator'), 'roles[1].name'],
  ['duplicate role', (b) => b.roles.push({ name: 'operator' }), 'roles[2].name'],
  ['unknown inherited role', (b) => (b.roles[1].inherits = ['viewer', 'admin']), 'roles[1].inherits[1]'],
  ['role inheriting itself', (b) => (b.roles[0].inherits = ['viewer']), 'roles[0].inherits'],
  ['role inheritance cycle of two', (b) => (b.roles[0].inherits = ['operator']), 'roles[0].inherits'],
  [
    'role inheritance cycle of three',
    (b) => {
      b.roles.push({ name: 'admin', inherits: ['operator'] });
      b.roles[0].inherits = ['admin'];
    },
    'roles[0].inherits',
  ],
  // rate limits
  ['rate limit with neither rate nor quotas', (b) => (b.rateLimits[0] = { id: 'reads' }), 'rateLimits[0].rate'],
  ['rate of 0 requests', (b) => (b.rateLimits[0].rate.requests = 0), 'rateLimits[0].rate.requests'],
  ['period of 0 s', (b) => (b.rateLimits[0].rate.periodSeconds = 0), 'rateLimits[0].rate.periodSeconds'],
  ['period over one day', (b) => (b.rateLimits[0].rate.periodSeconds = 86401), 'rateLimits[0].rate.periodSeconds'],
  ['burst 0', (b) => (b.rateLimits[0].rate.burst = 0), 'rateLimits[0].rate.burst'],
  ['fractional burst', (b) => (b.rateLimits[0].rate.burst = 1.5), 'rateLimits[0].rate.burst'],
  ['unknown scope', (b) => (b.rateLimits[0].scope = ['user']), 'rateLimits[0].scope[0]'],
  ['unknown quota period', (b) => (b.rateLimits[0].quotas = [{ requests: 1, period: 'week' }]), 'rateLimits[0].quotas[0].period'],
  [
    'two quotas for the same period',
    (b) => b.rateLimits[0].quotas.push({ requests: 2000, period: 'day' }),
    'rateLimits[0].quotas[1].period',
  ],
  ['burst with fixed-window', (b) => (b.rateLimits[0].algorithm = 'fixed-window'), 'rateLimits[0].rate.burst'],
  ['unknown algorithm', (b) => (b.rateLimits[0].algorithm = 'token-bucket'), 'rateLimits[0].algorithm'],
  ['duplicate rate limit id', (b) => b.rateLimits.push({ id: 'reads', quotas: [{ requests: 1, period: 'hour' }] }), 'rateLimits[1].id'],
  // CORS
  ['CORS "*" with credentials', (b) => (b.cors.allowOrigins = ['*']), 'cors.allowOrigins'],
  ['route CORS "*" with credentials', (b) => (route(b).cors = { allowOrigins: ['*'], allowCredentials: true }), 'routes[1].cors.allowOrigins'],
  ['CORS origin with a path', (b) => (b.cors.allowOrigins = ['https://app.example.com/']), 'cors.allowOrigins[0]'],
  ['CORS origin without scheme', (b) => (b.cors.allowOrigins = ['app.example.com']), 'cors.allowOrigins[0]'],
  ['CORS without origins', (b) => (b.cors.allowOrigins = []), 'cors.allowOrigins'],
  ['CORS max age over a day', (b) => (b.cors.maxAgeSeconds = 86401), 'cors.maxAgeSeconds'],
  ['route CORS true', (b) => (route(b).cors = true), 'routes[1].cors'],
  // limits, logging, security headers
  ['negative limits.maxBodyBytes', (b) => (b.limits = { maxBodyBytes: -1 }), 'limits.maxBodyBytes'],
  ['unknown log level', (b) => (b.logging = { level: 'debug' }), 'logging.level'],
  ['redacted header name with ":"', (b) => (b.logging = { redactHeaders: ['x-a:'] }), 'logging.redactHeaders[0]'],
  ['frame options ALLOW', (b) => (b.securityHeaders = { frameOptions: 'ALLOW' }), 'securityHeaders.frameOptions'],
  ['negative HSTS max age', (b) => (b.securityHeaders = { hsts: { maxAgeSeconds: -1 } }), 'securityHeaders.hsts.maxAgeSeconds'],
];

describe('rejected bundles report the path of the problem', () => {
  it.each(rejected)('%s', (_name, mutate, path) => {
    expect(issuePaths(mutate)).toEqual([path]);
  });
});

const accepted: [string, Mutate][] = [
  ['methods absent (any method)', (b) => delete route(b).match.methods],
  ['"/" as an exact path', (b) => (route(b, 0).match.path = '/')],
  ['a prefix ending with "/"', (b) => (route(b, 0).match = { path: '/static/', kind: 'prefix' })],
  ['a wildcard host with a port', (b) => (route(b).match.host = '*.example.com:8443')],
  ['a template with several parameters', (b) => (route(b).match.path = '/api/v1/agents/{agent_id}/runs/{runId}')],
  ['same path, different methods', (b) => b.routes.push({ id: 'agents-put', match: { methods: ['PUT'], path: '/api/v1/agents/{id}', kind: 'template' } })],
  ['same path, exact and prefix', (b) => b.routes.push({ id: 'h2', match: { methods: ['GET'], path: '/healthz', kind: 'prefix' }, auth: { required: false } })],
  ['same path, different hosts', (b) => b.routes.push({ id: 'h2', match: { methods: ['GET'], path: '/healthz', host: 'a.example.com' }, auth: { required: false } })],
  ['role pattern "*"', (b) => (b.roles[0].permissions = ['*'])],
  ['role pattern "*:read"', (b) => (b.roles[0].permissions = ['*:read'])],
  ['role pattern "*:*"', (b) => (b.roles[0].permissions = ['*:*'])],
  ['role pattern with dots, dashes and underscores', (b) => (b.roles[0].permissions = ['agent-runs.v2:read_all'])],
  ['diamond inheritance (not a cycle)', (b) => b.roles.push({ name: 'lead', inherits: ['viewer', 'operator'] })],
  ['route CORS false', (b) => (route(b).cors = false)],
  ['CORS "*" without credentials', (b) => (b.cors = { allowOrigins: ['*'] })],
  ['a public JWKS inline', (b) => { delete jwt(b).jwksUri; jwt(b).jwks = { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1', use: 'sig', alg: 'EdDSA' }] }; }],
  ['quotas only, no rate', (b) => (b.rateLimits[0] = { id: 'reads', quotas: [{ requests: 10, period: 'hour' }, { requests: 100, period: 'day' }] })],
  ['fixed-window without burst', (b) => (b.rateLimits[0] = { id: 'reads', algorithm: 'fixed-window', rate: { requests: 10, periodSeconds: 60 } })],
  ['a fractional period', (b) => (b.rateLimits[0].rate.periodSeconds = 0.5)],
  ['an empty scope (one counter per service)', (b) => (b.rateLimits[0].scope = [])],
  ['API key validity window', (b) => Object.assign(b.authentication.apiKeys[0], { notBefore: '2025-01-01T00:00:00Z', expiresAt: '2025-01-01T00:00:01+00:00' })],
  ['consistent-hash on a header', (b) => (b.upstreams.pool.loadBalancing = { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-tenant' } })],
  ['upstream without targets (the local backend)', (b) => (b.upstreams.pool = {})],
  ['hash and createdAt', (b) => Object.assign(b, { hash: `sha256:${'0'.repeat(64)}`, createdAt: '2025-06-01T12:00:00.123+02:00' })],
  ['no routes', (b) => (b.routes = [])],
];

describe('accepted bundles', () => {
  it.each(accepted)('%s', (_name, mutate) => {
    expect(issuePaths(mutate)).toEqual([]);
  });
});

describe('messages say what to fix', () => {
  it.each([
    ['role cycle names the trail', (b: Draft) => (b.roles[0].inherits = ['operator']), /viewer -> operator -> viewer/],
    ['private JWK member names the member', (b: Draft) => { delete jwt(b).jwksUri; jwt(b).jwks = { keys: [{ kty: 'EC', d: 'x' }] }; }, /public keys only; remove "d"/],
    ['ambiguous route names the other route', (b: Draft) => b.routes.push({ id: 'again', match: { methods: ['GET'], path: '/healthz' }, auth: { required: false } }), /same requests as route "health"/],
    ['both JWKS sources', (b: Draft) => (jwt(b).jwks = { keys: [{ kty: 'EC' }] }), /exactly one of jwksUri or jwks/],
  ] as [string, Mutate, RegExp][])('%s', (_name, mutate, message) => {
    expect(messages(mutate).join('\n')).toMatch(message);
  });
});

describe('defaults', () => {
  const minimal: PolicyBundleInput = { version: 1, service: 'hello', revision: 0, routes: [{ id: 'hello', match: { path: '/hello' } }] };
  const parsed = PolicyBundle.parse(minimal);

  it('fills every optional section', () => {
    expect(parsed.routes[0]).toEqual({
      id: 'hello',
      match: { path: '/hello', kind: 'exact' },
      auth: { required: true },
      permissions: [],
      scopes: [],
      rateLimits: [],
      sse: false,
    });
    expect(parsed.upstreams).toEqual({});
    expect(parsed.roles).toEqual([]);
    expect(parsed.rateLimits).toEqual([]);
    expect(parsed.cors).toBeUndefined();
    expect(parsed.limits).toEqual({ maxBodyBytes: 1024 * 1024 });
    expect(parsed.logging.level).toBe('standard');
    expect(parsed.securityHeaders.frameOptions).toBe('DENY');
  });

  // zod 4 returns a `.default(value)` as written, without parsing it: each must equal what parsing `{}` gives.
  it.each([
    ['authentication', parsed.authentication, Authentication.parse({})],
    ['logging', parsed.logging, Logging.parse({})],
    ['securityHeaders', parsed.securityHeaders, SecurityHeaders.parse({})],
    ['route auth', parsed.routes[0]!.auth, RouteAuth.parse({})],
  ])('the default of %s equals the parse of {}', (_name, defaulted, fromEmpty) => {
    expect(defaulted).toEqual(fromEmpty);
  });

  it('upstream defaults equal the parse of their empty objects', () => {
    const u = Upstream.parse({});
    expect(u.loadBalancing).toEqual(Upstream.parse({ loadBalancing: {} }).loadBalancing);
    expect(u.timeouts).toEqual(Upstream.parse({ timeouts: {} }).timeouts);
  });

  it('JWT issuer, API key and rate limit defaults', () => {
    const b = base();
    const p = PolicyBundle.parse(b);
    expect(p.authentication.jwt[0]).toMatchObject({ algorithms: ['RS256', 'ES256', 'EdDSA'], clockToleranceSeconds: 5, maxTokenAgeSeconds: 0, claims: { subject: 'sub', roles: 'roles', scopes: 'scope' } });
    expect(p.authentication.apiKeys[0]).toMatchObject({ disabled: false, scopes: [] });
    expect(p.authentication.introspection[0]).toMatchObject({ cacheTtlSeconds: 60, cacheMaxEntries: 10_000, timeoutMs: 2000 });
    expect(p.rateLimits[0]).toMatchObject({ scope: ['client'], algorithm: 'gcra' });
    expect(p.cors).toMatchObject({ allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], maxAgeSeconds: 600 });
  });
});

describe('PermissionPattern', () => {
  it.each(['*', '*:*', 'agents:*', '*:read', 'agents:read', 'a.b-c_d:e'])('accepts %s', (p) => {
    expect(PermissionPattern.safeParse(p).success).toBe(true);
  });
  it.each(['', '**', 'agents', 'agents:', ':read', 'Agents:read', 'agents:re*', 'a:b:c', ' agents:read', '-a:b'])('rejects %j', (p) => {
    expect(PermissionPattern.safeParse(p).success).toBe(false);
  });
});

// Names of Object.prototype members are not upstreams (checkReferences uses Object.hasOwn).
it.each(['constructor', 'toString', 'hasOwnProperty'])('refuses the unknown upstream %s', (name) => {
  expect(issuePaths((b) => (route(b).upstream = name))).toEqual(['routes[1].upstream']);
});
