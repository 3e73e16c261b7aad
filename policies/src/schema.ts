/**
 * The policy bundle, version 1: one JSON document per service, compiled by the
 * control plane and enforced by every sidecar of that service. Zod is the single
 * source: TypeScript types are inferred below and the JSON Schema is generated
 * from it (see `bundleJsonSchema`).
 */
import { z } from 'zod';
import { parseTopicPattern } from './topics.js';

/** HTTP methods a route may name. `*` is not a method: leave `methods` out to accept any. */
export const HttpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
export type HttpMethod = z.infer<typeof HttpMethod>;

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** An identifier used in metric labels and logs: 1–64 of `[A-Za-z0-9._-]`, starting alphanumeric. */
export const Identifier = z.string().regex(ID_RE, 'must be 1-64 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit');

/** A service name: a DNS label (lower-case letters, digits, `-`). */
export const ServiceName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", at most 63 characters');

const PERM_PART = '(?:\\*|[a-z0-9][a-z0-9_.-]*)';
const PERMISSION_PATTERN_RE = new RegExp(`^(?:\\*|${PERM_PART}:${PERM_PART})$`);
const PERMISSION_RE = /^[a-z0-9][a-z0-9_.-]*:[a-z0-9][a-z0-9_.-]*$/;

/** A permission pattern granted by a role: `resource:action`, either part may be `*`; `*` alone grants everything. */
export const PermissionPattern = z
  .string()
  .regex(PERMISSION_PATTERN_RE, 'must be "resource:action" (lower-case; either part may be "*"), or "*"');

/** A concrete permission a route requires: `resource:action`, no wildcards. */
export const Permission = z.string().regex(PERMISSION_RE, 'must be "resource:action" in lower case, without wildcards');

/** A header name as in RFC 9110 §5.1 (a token). */
export const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be an HTTP header name (RFC 9110 token)');
const HeaderValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'must not contain control characters');

const Url = z.url({ protocol: /^https?$/ });
const DateTime = z.iso.datetime({ offset: true });
const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex characters (SHA-256)');

// ---------------------------------------------------------------- routes

/** How `match.path` is compared with the normalised request path. */
export const PathKind = z.enum([
  /** the whole path equals `path` */
  'exact',
  /** the path equals `path` or continues it after a `/` (segment boundary: `/api` matches `/api/x`, not `/apix`) */
  'prefix',
  /** `path` has `{name}` segments, each matching exactly one non-empty segment */
  'template',
]);

const TEMPLATE_SEGMENT_RE = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** What a route matches: methods (absent = any), optional host, and a path. */
export const RouteMatch = z
  .strictObject({
    methods: z.array(HttpMethod).min(1).optional(),
    host: z
      .string()
      .regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/, 'must be a lower-case host name, optionally "*.example.com" or with a port')
      .optional(),
    path: z.string().min(1).max(2048).startsWith('/', 'must start with "/"'),
    kind: PathKind.default('exact'),
  })
  .superRefine((m, ctx) => {
    const segments = m.path.split('/').slice(1);
    const hasBrace = m.path.includes('{') || m.path.includes('}');
    if (m.kind !== 'template' && hasBrace) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'contains "{" or "}": set kind "template" for a path template' });
    }
    if (m.kind === 'template') {
      if (!hasBrace) ctx.addIssue({ code: 'custom', path: ['path'], message: 'a template needs at least one "{name}" segment' });
      const names = new Set<string>();
      for (const s of segments) {
        if (s.includes('{') || s.includes('}')) {
          if (!TEMPLATE_SEGMENT_RE.test(s)) {
            ctx.addIssue({ code: 'custom', path: ['path'], message: `template segment "${s}" must be a whole segment "{name}"` });
          } else {
            const name = s.slice(1, -1);
            if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['path'], message: `template parameter "${name}" appears twice` });
            names.add(name);
          }
        }
      }
    }
    if (m.path.length > 1 && m.path.endsWith('/') && m.kind === 'template') {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'a template must not end with "/"' });
    }
    if (/\/\/|\/\.\.?(\/|$)|%|\\|\?|#/.test(m.path)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'must be a normalised path: no "//", "/./", "/../", "%", "\\", "?" or "#"' });
    }
  });
export type RouteMatch = z.infer<typeof RouteMatch>;

/** Authentication methods a sidecar knows. */
export const AuthMethod = z.enum(['jwt', 'api-key', 'introspection']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** Whether a route needs credentials, and which kinds it accepts. */
export const RouteAuth = z.strictObject({
  /** false makes the route public: no authentication, no authorisation, identity headers not sent */
  required: z.boolean().default(true),
  /** accepted methods; absent = every method the bundle configures */
  methods: z.array(AuthMethod).min(1).optional(),
});

/** CORS policy (Fetch standard, CORS protocol). */
export const CorsPolicy = z
  .strictObject({
    allowOrigins: z.array(z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be "*" or an origin like https://app.example.com')).min(1),
    allowMethods: z.array(HttpMethod).default(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
    allowHeaders: z.array(HeaderName).default(['authorization', 'content-type', 'x-api-key', 'x-request-id']),
    exposeHeaders: z.array(HeaderName).default(['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after']),
    allowCredentials: z.boolean().default(false),
    maxAgeSeconds: z.int().min(0).max(86400).default(600),
  })
  .superRefine((c, ctx) => {
    if (c.allowCredentials && c.allowOrigins.includes('*')) {
      ctx.addIssue({ code: 'custom', path: ['allowOrigins'], message: '"*" cannot be combined with allowCredentials: list the origins' });
    }
  });
export type CorsPolicy = z.infer<typeof CorsPolicy>;

/** Header rules, applied in the order remove → rename → set → add. */
export const HeaderTransform = z.strictObject({
  remove: z.array(HeaderName).default([]),
  rename: z.record(HeaderName, HeaderName).default({}),
  /** replace any existing value */
  set: z.record(HeaderName, HeaderValue).default({}),
  /** append a value (keeps existing ones) */
  add: z.record(HeaderName, HeaderValue).default({}),
});
export type HeaderTransform = z.infer<typeof HeaderTransform>;

/** Response cache rules for GET/HEAD on a route. */
export const CacheRule = z.strictObject({
  enabled: z.boolean().default(true),
  ttlSeconds: z.int().min(1).max(86400),
  /** key also on the principal; otherwise responses to authenticated requests are cached only if the upstream marks them `public` */
  private: z.boolean().default(false),
  /** request headers added to the cache key besides the upstream's own `Vary` */
  vary: z.array(HeaderName).default([]),
  maxEntryBytes: z.int().min(1).max(64 * 1024 * 1024).default(1024 * 1024),
});

/** WebSocket upgrade settings for a route. */
export const WebSocketPolicy = z.strictObject({
  enabled: z.boolean().default(true),
  /** where a browser may put its token besides `Authorization` */
  tokenIn: z.array(z.enum(['protocol', 'query'])).default([]),
  queryParam: z.string().regex(/^[A-Za-z0-9_-]+$/).default('access_token'),
  /** allowed `Origin` values; absent = same as the CORS allowOrigins; [] = no browser origin */
  allowedOrigins: z.array(z.string()).optional(),
  maxMessageBytes: z.int().min(1).max(64 * 1024 * 1024).default(1024 * 1024),
  idleTimeoutMs: z.int().min(1000).default(300_000),
  maxConnectionsPerClient: z.int().min(1).default(100),
});

/** One topic rule of an event stream: which permission a topic pattern needs (docs/events.md § Authorisation). */
export const TopicRule = z
  .strictObject({
    /** `agents/{id}`, `workflows/*\/runs`, `agents/**` (syntax in topics.ts) */
    pattern: z.string().superRefine((text, ctx) => {
      const parsed = parseTopicPattern(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
    }),
    /** reading every topic the pattern matches needs this permission */
    permission: Permission.optional(),
    /** owner access: holding `permission` reads only events the principal owns (topic `param` or the event's `owner`) */
    owner: z.strictObject({ permission: Permission, param: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,31}$/).optional() }).optional(),
  })
  .refine((r) => r.permission !== undefined || r.owner !== undefined, 'a topic rule needs "permission", "owner", or both')
  .refine((r) => r.owner?.param === undefined || r.pattern.includes(`{${r.owner.param}}`), 'owner.param must name a {parameter} of the pattern');

/** A route that is an event stream: clients subscribe with WebSocket or SSE; backends publish (docs/events.md). */
export const EventsPolicy = z.strictObject({
  topics: z.array(TopicRule).min(1).max(1000),
  /** bounded history per topic, for resumption */
  history: z
    .strictObject({ maxEvents: z.int().min(0).max(1_000_000).default(1000), maxAgeMs: z.int().min(1000).max(7 * 86_400_000).default(3_600_000) })
    .default({ maxEvents: 1000, maxAgeMs: 3_600_000 }),
  /** events waiting for one slow connection before it is closed (slow-consumer policy: disconnect) */
  queueLimit: z.int().min(1).max(100_000).default(1000),
  maxSubscriptionsPerConnection: z.int().min(1).max(10_000).default(100),
  /** SSE heartbeat comment and WebSocket ping interval */
  heartbeatMs: z.int().min(1000).max(300_000).default(15_000),
  /** the SSE `retry:` the client waits before reconnecting */
  retryMs: z.int().min(100).max(300_000).default(3000),
  publish: z
    .strictObject({
      /** the publisher's principal must hold this permission */
      permission: Permission.default('events:publish'),
      maxEventBytes: z.int().min(64).max(1024 * 1024).default(64 * 1024),
    })
    .default({ permission: 'events:publish', maxEventBytes: 64 * 1024 }),
});
export type EventsPolicy = z.infer<typeof EventsPolicy>;

/** One route: what it matches and what the sidecar enforces on it. */
export const Route = z.strictObject({
  id: Identifier,
  description: z.string().max(500).optional(),
  match: RouteMatch,
  /** name of an entry in `upstreams`; absent = the sidecar's local backend */
  upstream: Identifier.optional(),
  auth: RouteAuth.default({ required: true }),
  /** permissions the principal must hold, all of them */
  permissions: z.array(Permission).default([]),
  /** OAuth scopes the credential must carry, all of them (checked besides permissions) */
  scopes: z.array(z.string().min(1).max(128)).default([]),
  /** resource type used by rate-limit scope "resource"; absent = resource part of the first permission, else the route id */
  resource: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/).optional(),
  /** ids of entries in `rateLimits`, all applied */
  rateLimits: z.array(Identifier).default([]),
  /** overrides the bundle's CORS policy; `false` disables CORS on this route */
  cors: z.union([CorsPolicy, z.literal(false)]).optional(),
  headers: z
    .strictObject({ request: HeaderTransform.optional(), response: HeaderTransform.optional() })
    .optional(),
  /** request body limit; absent = bundle `limits.maxBodyBytes` */
  maxBodyBytes: z.int().min(0).optional(),
  /** accepted request media types (without parameters); absent = any */
  contentTypes: z.array(z.string().regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+*-]+$/)).min(1).optional(),
  cache: CacheRule.optional(),
  websocket: WebSocketPolicy.optional(),
  /** the route is an event stream served by the sidecar itself (no upstream) */
  events: EventsPolicy.optional(),
  /** the upstream answers with text/event-stream: no idle timeout, no buffering */
  sse: z.boolean().default(false),
  /** forward `Authorization` / `X-API-Key` to the backend after the sidecar consumed them; absent = false (stripped) */
  forwardCredentials: z.boolean().optional(),
});
export type Route = z.infer<typeof Route>;
export type RouteInput = z.input<typeof Route>;

// ---------------------------------------------------------------- upstreams

/** A load-balanced upstream; the proxy implements these settings in its traffic-management layer. */
export const Upstream = z
  .strictObject({
    /** absent = the sidecar's local backend (its `--upstream`) */
    targets: z
      .array(z.strictObject({ name: Identifier, url: Url, weight: z.int().min(1).max(1000).default(1) }))
      .min(1)
      .optional(),
    /** targets from DNS instead of `targets`: the name's A/AAAA (with `port`) or SRV records, re-resolved on their TTL */
    discovery: z
      .strictObject({
        dns: z.strictObject({
          name: z.string().min(1).max(253),
          mode: z.enum(['a', 'srv']).default('a'),
          port: z.int().min(1).max(65535).optional(),
          scheme: z.enum(['http', 'https']).default('http'),
          minTtlMs: z.int().min(100).default(1000),
          maxTtlMs: z.int().min(100).default(300000),
        }),
      })
      .optional(),
    loadBalancing: z
      .strictObject({
        algorithm: z.enum(['round-robin', 'least-request', 'consistent-hash', 'random']).default('round-robin'),
        hashOn: z
          .discriminatedUnion('type', [
            z.strictObject({ type: z.literal('header'), name: HeaderName }),
            z.strictObject({ type: z.literal('cookie'), name: z.string().min(1) }),
            z.strictObject({ type: z.literal('client-address') }),
            z.strictObject({ type: z.literal('principal') }),
          ])
          .optional(),
      })
      .default({ algorithm: 'round-robin' }),
    timeouts: z
      .strictObject({
        connectMs: z.int().min(1).default(2000),
        /** time to the response headers, per try */
        perTryMs: z.int().min(1).default(15000),
        /** all tries together */
        totalMs: z.int().min(1).default(30000),
        /** idle time between body chunks (not applied to SSE routes) */
        idleMs: z.int().min(1).default(60000),
      })
      .default({ connectMs: 2000, perTryMs: 15000, totalMs: 30000, idleMs: 60000 }),
    retries: z
      .strictObject({
        attempts: z.int().min(0).max(10).default(0),
        on: z.array(z.enum(['connect-failure', '502', '503', '504'])).default(['connect-failure', '503']),
        backoffBaseMs: z.int().min(1).default(25),
        backoffMaxMs: z.int().min(1).default(250),
        /** retries may add at most this percentage of live requests */
        budgetPercent: z.number().min(0).max(100).default(20),
      })
      .optional(),
    healthCheck: z
      .strictObject({
        path: z.string().startsWith('/'),
        intervalMs: z.int().min(100).default(5000),
        timeoutMs: z.int().min(10).default(1000),
        healthyThreshold: z.int().min(1).default(2),
        unhealthyThreshold: z.int().min(1).default(3),
        expectedStatuses: z.array(z.int().min(100).max(599)).default([200]),
      })
      .optional(),
    outlierDetection: z
      .strictObject({
        consecutive5xx: z.int().min(1).default(5),
        consecutiveConnectFailures: z.int().min(1).default(3),
        baseEjectionMs: z.int().min(100).default(30000),
        maxEjectionPercent: z.int().min(0).max(100).default(50),
      })
      .optional(),
    circuitBreaker: z
      .strictObject({
        consecutiveFailures: z.int().min(1).optional(),
        failureRatio: z.number().gt(0).max(1).optional(),
        minRequests: z.int().min(1).default(20),
        windowMs: z.int().min(100).default(10000),
        halfOpenAfterMs: z.int().min(100).default(10000),
        maxConcurrent: z.int().min(1).optional(),
        maxPending: z.int().min(0).optional(),
      })
      .optional(),
  })
  .superRefine((u, ctx) => {
    if (u.loadBalancing.algorithm === 'consistent-hash' && !u.loadBalancing.hashOn) {
      ctx.addIssue({ code: 'custom', path: ['loadBalancing', 'hashOn'], message: 'consistent-hash needs hashOn' });
    }
    const dns = u.discovery?.dns;
    if (dns && u.targets) ctx.addIssue({ code: 'custom', path: ['discovery'], message: 'give either targets or discovery.dns, not both' });
    if (dns?.mode === 'a' && dns.port === undefined) ctx.addIssue({ code: 'custom', path: ['discovery', 'dns', 'port'], message: 'A/AAAA discovery needs a port' });
    if (dns?.mode === 'srv' && !dns.name.startsWith('_')) ctx.addIssue({ code: 'custom', path: ['discovery', 'dns', 'name'], message: 'an SRV name starts with _service._proto, e.g. _http._tcp.orders.shop.svc.cluster.local' });
    if (dns && dns.maxTtlMs < dns.minTtlMs) ctx.addIssue({ code: 'custom', path: ['discovery', 'dns', 'maxTtlMs'], message: 'maxTtlMs must be at least minTtlMs' });
    if (u.targets) {
      const seen = new Set<string>();
      u.targets.forEach((t, i) => {
        if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name "${t.name}"` });
        seen.add(t.name);
      });
    }
  });
export type Upstream = z.infer<typeof Upstream>;

// ---------------------------------------------------------------- authentication

/** Asymmetric JWS algorithms only: a shared secret would have to be in the (unencrypted) bundle. */
export const JwsAlgorithm = z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

const Jwk = z.looseObject({ kty: z.string(), kid: z.string().optional(), use: z.string().optional(), alg: z.string().optional() }).superRefine((k, ctx) => {
  for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
    if (priv in k) ctx.addIssue({ code: 'custom', path: [priv], message: `a bundle JWKS holds public keys only; remove "${priv}"` });
  }
});

/** Where a principal's attributes are found in verified claims (dot paths, e.g. `realm_access.roles`). */
export const ClaimMapping = z.strictObject({
  subject: z.string().min(1).default('sub'),
  /** an array of strings, or one space-separated string */
  roles: z.string().min(1).default('roles'),
  /** an array of strings, or one space-separated string (RFC 8693 `scope`) */
  scopes: z.string().min(1).default('scope'),
});

/** A trusted JWT issuer. */
export const JwtIssuer = z
  .strictObject({
    id: Identifier,
    issuer: z.string().min(1),
    audiences: z.array(z.string().min(1)).min(1),
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    jwks: z.strictObject({ keys: z.array(Jwk).min(1) }).optional(),
    algorithms: z.array(JwsAlgorithm).min(1).default(['RS256', 'ES256', 'EdDSA']),
    /** at most 30 s of clock skew */
    clockToleranceSeconds: z.int().min(0).max(30).default(5),
    /** tokens older than this (since `iat`) are refused (0 = no limit) */
    maxTokenAgeSeconds: z.int().min(0).default(0),
    /** tokens whose lifetime (`exp` − `iat`, or `exp` − now without `iat`) is longer are refused (0 = no limit) */
    maxLifetimeSeconds: z.int().min(0).default(86_400),
    /** the JWS header `typ` required (e.g. `at+jwt`, RFC 9068); absent = not checked */
    typ: z.string().min(1).max(64).optional(),
    claims: ClaimMapping.default({ subject: 'sub', roles: 'roles', scopes: 'scope' }),
    /** when set, the JOSE header `typ` must be this (RFC 9068 §4: `at+jwt` for the control plane's access tokens) */
    tokenType: z.literal('at+jwt').optional(),
  })
  .superRefine((j, ctx) => {
    if ((j.jwksUri === undefined) === (j.jwks === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['jwksUri'], message: 'give exactly one of jwksUri or jwks' });
    }
  });
export type JwtIssuer = z.infer<typeof JwtIssuer>;

/** An API key, known to the sidecar only by the SHA-256 of its secret. */
export const ApiKey = z
  .strictObject({
    id: Identifier,
    /** hex SHA-256 of the whole key string as the client sends it */
    sha256: Sha256Hex,
    principal: z.string().min(1).max(256),
    roles: z.array(z.string().min(1)).default([]),
    scopes: z.array(z.string().min(1)).default([]),
    notBefore: DateTime.optional(),
    expiresAt: DateTime.optional(),
    disabled: z.boolean().default(false),
    /** set on a key revoked recently, kept in the bundle (without roles) only so the sidecar can answer "revoked"; always refused */
    revokedAt: DateTime.optional(),
  })
  .superRefine((k, ctx) => {
    if (k.notBefore && k.expiresAt && Date.parse(k.notBefore) >= Date.parse(k.expiresAt)) {
      ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after notBefore' });
    }
  });
export type ApiKey = z.infer<typeof ApiKey>;

/** An OAuth 2.0 token introspection endpoint (RFC 7662) for opaque tokens. */
export const Introspection = z.strictObject({
  id: Identifier,
  endpoint: Url,
  clientId: z.string().min(1),
  /** name of the sidecar environment variable holding the client secret: secrets never travel in bundles */
  clientSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name'),
  /** how long an introspection answer is reused (never past the token's `exp`) */
  cacheTtlSeconds: z.int().min(0).max(3600).default(60),
  /** introspection results cached at most; oldest evicted */
  cacheMaxEntries: z.int().min(1).max(1_000_000).default(10_000),
  timeoutMs: z.int().min(10).max(30_000).default(2000),
  audiences: z.array(z.string()).optional(),
  claims: ClaimMapping.default({ subject: 'sub', roles: 'roles', scopes: 'scope' }),
});
export type Introspection = z.infer<typeof Introspection>;

/** A revoked access token the sidecar refuses although its JWT is still valid; listed until its `exp`. */
export const RevokedToken = z.strictObject({
  jti: z.string().min(1).max(256),
  /** epoch seconds: the token's own `exp`, after which the entry can go */
  exp: z.int().min(0),
});
export type RevokedToken = z.infer<typeof RevokedToken>;

/** All authentication settings of a service. */
export const Authentication = z.strictObject({
  jwt: z.array(JwtIssuer).default([]),
  apiKeys: z.array(ApiKey).default([]),
  introspection: z.array(Introspection).default([]),
  /** access tokens revoked at the control plane (RFC 7009), by `jti`, until they expire */
  revokedTokens: z.array(RevokedToken).default([]),
});

// ---------------------------------------------------------------- RBAC

/** A role: permission patterns, plus every permission of the roles it inherits. */
export const Role = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'must be 1-64 of A-Z a-z 0-9 _ . : -'),
  description: z.string().max(500).optional(),
  permissions: z.array(PermissionPattern).default([]),
  inherits: z.array(z.string()).default([]),
});
export type Role = z.infer<typeof Role>;

// ---------------------------------------------------------------- rate limits

/** What a rate-limit counter is kept per. Empty = one counter for the whole service. */
export const RateLimitScope = z.enum([
  /** the authenticated principal, or the client address when anonymous */
  'client',
  /** the route id */
  'endpoint',
  /** the route's resource type */
  'resource',
  /** the client address, even when authenticated */
  'address',
]);
export type RateLimitScope = z.infer<typeof RateLimitScope>;

/** A rate limit (GCRA: `requests` per `periodSeconds` with a burst) and/or longer fixed-window quotas. */
export const RateLimit = z
  .strictObject({
    id: Identifier,
    scope: z.array(RateLimitScope).default(['client']),
    rate: z
      .strictObject({
        requests: z.int().min(1).max(1_000_000_000),
        periodSeconds: z.number().positive().max(86400),
        /** how many requests may arrive at once; default = requests */
        burst: z.int().min(1).optional(),
      })
      .optional(),
    /** longer quotas, counted in UTC calendar windows */
    quotas: z
      .array(z.strictObject({ requests: z.int().min(1), period: z.enum(['hour', 'day', 'month']) }))
      .default([]),
    /** the algorithm for `rate` */
    algorithm: z.enum(['gcra', 'fixed-window']).default('gcra'),
  })
  .superRefine((r, ctx) => {
    if (!r.rate && r.quotas.length === 0) ctx.addIssue({ code: 'custom', path: ['rate'], message: 'give a rate, quotas, or both' });
    const seen = new Set<string>();
    r.quotas.forEach((q, i) => {
      if (seen.has(q.period)) ctx.addIssue({ code: 'custom', path: ['quotas', i, 'period'], message: `two quotas per ${q.period}` });
      seen.add(q.period);
    });
  });
export type RateLimit = z.infer<typeof RateLimit>;

// ---------------------------------------------------------------- logging and security headers

/** Access-log detail levels: `none` < `minimal` < `standard` < `full` (adds request headers, redacted). */
export const LogLevel = z.enum(['none', 'minimal', 'standard', 'full']);

export const Logging = z.strictObject({
  level: LogLevel.default('standard'),
  /** header names (case-insensitive) whose values are replaced by "[REDACTED]"; Authorization, Cookie, Set-Cookie, X-API-Key always are */
  redactHeaders: z.array(HeaderName).default([]),
  /** query parameter names whose values are redacted in logged URLs */
  redactQueryParams: z.array(z.string().min(1)).default(['access_token', 'token', 'api_key', 'apikey', 'key']),
});

export const SecurityHeaders = z.strictObject({
  contentTypeOptions: z.boolean().default(true),
  frameOptions: z.enum(['DENY', 'SAMEORIGIN', 'off']).default('DENY'),
  referrerPolicy: z.string().default('no-referrer'),
  /** set on the proxy's own responses (errors, preflights); backends keep their own CSP */
  contentSecurityPolicy: z.string().default("default-src 'none'; frame-ancestors 'none'"),
  /** sent only when the sidecar terminates TLS */
  hsts: z
    .strictObject({ maxAgeSeconds: z.int().min(0).default(31536000), includeSubDomains: z.boolean().default(true), preload: z.boolean().default(false) })
    .default({ maxAgeSeconds: 31536000, includeSubDomains: true, preload: false }),
});

// ---------------------------------------------------------------- request headers

/**
 * What the sidecar does with request headers whose names hold `_` (CGI, WSGI and PHP read `X_Auth_Subject` as
 * `X-Auth-Subject`): `drop` them (default), `reject` the request with 400, or `allow` them (names that read as an
 * identity, forwarding or credential header once `_` is `-` are still dropped). Envoy: `headers_with_underscores_action`.
 */
export const RequestHeaders = z.strictObject({
  withUnderscores: z.enum(['drop', 'reject', 'allow']).default('drop'),
});

// ---------------------------------------------------------------- the bundle

/** The whole policy of one service. */
export const PolicyBundle = z
  .strictObject({
    /** bundle format version */
    version: z.literal(1),
    service: ServiceName,
    /** monotonic: a sidecar refuses a revision lower than the one it runs (same content excepted) */
    revision: z.int().min(0),
    /** `sha256:` + hex SHA-256 of the canonical JSON of the bundle without `hash` (see `bundleHash`) */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
    createdAt: DateTime.optional(),
    description: z.string().max(2000).optional(),
    routes: z.array(Route).max(10_000),
    upstreams: z.record(Identifier, Upstream).default({}),
    authentication: Authentication.default({ jwt: [], apiKeys: [], introspection: [], revokedTokens: [] }),
    roles: z.array(Role).default([]),
    rateLimits: z.array(RateLimit).default([]),
    /** global CORS policy; absent = no CORS headers unless a route sets one */
    cors: CorsPolicy.optional(),
    limits: z
      .strictObject({ maxBodyBytes: z.int().min(0).default(1024 * 1024) })
      .default({ maxBodyBytes: 1024 * 1024 }),
    requestHeaders: RequestHeaders.default({ withUnderscores: 'drop' }),
    logging: Logging.default({ level: 'standard', redactHeaders: [], redactQueryParams: ['access_token', 'token', 'api_key', 'apikey', 'key'] }),
    securityHeaders: SecurityHeaders.default({
      contentTypeOptions: true,
      frameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
      contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
      hsts: { maxAgeSeconds: 31536000, includeSubDomains: true, preload: false },
    }),
  })
  .superRefine(checkReferences);

export type PolicyBundle = z.infer<typeof PolicyBundle>;
/** The bundle as written in JSON, before defaults are applied. */
export type PolicyBundleInput = z.input<typeof PolicyBundle>;

type Ctx = z.RefinementCtx;

function duplicates<T>(items: readonly T[], key: (t: T) => string, ctx: Ctx, path: (i: number) => (string | number)[], what: string): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: path(i), message: `duplicate ${what} "${k}"` });
    seen.add(k);
  });
  return seen;
}

/** Cross-references inside the bundle: unique ids, known names, no inheritance cycles, no ambiguous routes. */
function checkReferences(b: z.output<z.ZodObject>, ctx: Ctx): void {
  const bundle = b as unknown as PolicyBundle;
  duplicates(bundle.routes, (r) => r.id, ctx, (i) => ['routes', i, 'id'], 'route id');
  const limitIds = duplicates(bundle.rateLimits, (r) => r.id, ctx, (i) => ['rateLimits', i, 'id'], 'rate limit id');
  const roleNames = duplicates(bundle.roles, (r) => r.name, ctx, (i) => ['roles', i, 'name'], 'role');
  const auth = bundle.authentication;
  duplicates(auth.apiKeys, (k) => k.id, ctx, (i) => ['authentication', 'apiKeys', i, 'id'], 'API key id');
  duplicates(auth.apiKeys, (k) => k.sha256, ctx, (i) => ['authentication', 'apiKeys', i, 'sha256'], 'API key hash');
  duplicates(auth.jwt, (j) => j.id, ctx, (i) => ['authentication', 'jwt', i, 'id'], 'JWT issuer id');
  duplicates(auth.jwt, (j) => j.issuer, ctx, (i) => ['authentication', 'jwt', i, 'issuer'], 'JWT issuer');
  duplicates(auth.introspection, (j) => j.id, ctx, (i) => ['authentication', 'introspection', i, 'id'], 'introspection id');

  const configured = new Set<string>();
  if (auth.jwt.length) configured.add('jwt');
  if (auth.apiKeys.length) configured.add('api-key');
  if (auth.introspection.length) configured.add('introspection');

  const matchers = new Map<string, string>();
  bundle.routes.forEach((r, i) => {
    if (r.upstream !== undefined && !Object.hasOwn(bundle.upstreams, r.upstream)) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'upstream'], message: `unknown upstream "${r.upstream}"` });
    }
    r.rateLimits.forEach((id, j) => {
      if (!limitIds.has(id)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'rateLimits', j], message: `unknown rate limit "${id}"` });
    });
    for (const m of r.auth.methods ?? []) {
      if (!configured.has(m)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'auth', 'methods'], message: `method "${m}" is not configured in authentication` });
      }
    }
    if (!r.auth.required && (r.permissions.length > 0 || r.scopes.length > 0)) {
      ctx.addIssue({ code: 'custom', path: ['routes', i, 'permissions'], message: 'a public route (auth.required false) cannot require permissions or scopes' });
    }
    // Two routes with the same host, path shape and an overlapping method set would make priority depend on order.
    const shape = r.match.kind === 'template' ? r.match.path.replace(/\{[^}]+\}/g, '{}') : r.match.path;
    const methods = r.match.methods ?? ['*'];
    for (const m of methods) {
      const key = `${r.match.host ?? ''} ${r.match.kind} ${shape} ${m}`;
      const other = matchers.get(key);
      if (other !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'match'], message: `matches the same requests as route "${other}" (${m} ${r.match.path})` });
      } else matchers.set(key, r.id);
    }
  });

  bundle.roles.forEach((role, i) => {
    role.inherits.forEach((parent, j) => {
      if (!roleNames.has(parent)) ctx.addIssue({ code: 'custom', path: ['roles', i, 'inherits', j], message: `unknown role "${parent}"` });
    });
  });
  // Inheritance cycles (depth-first, colouring).
  const byName = new Map(bundle.roles.map((r) => [r.name, r]));
  const state = new Map<string, 1 | 2>();
  const visit = (name: string, trail: string[]): void => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) {
      const idx = bundle.roles.findIndex((r) => r.name === name);
      ctx.addIssue({ code: 'custom', path: ['roles', idx, 'inherits'], message: `role inheritance cycle: ${[...trail, name].join(' -> ')}` });
      return;
    }
    state.set(name, 1);
    for (const p of byName.get(name)?.inherits ?? []) if (byName.has(p)) visit(p, [...trail, name]);
    state.set(name, 2);
  };
  for (const r of bundle.roles) visit(r.name, []);
  bundle.rateLimits.forEach((rl, i) => {
    if (rl.rate?.burst !== undefined && rl.algorithm === 'fixed-window') {
      ctx.addIssue({ code: 'custom', path: ['rateLimits', i, 'rate', 'burst'], message: 'burst applies to the gcra algorithm only' });
    }
  });
}
