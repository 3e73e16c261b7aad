/**
 * A bundle compiled for the hot path: everything a request needs that can be computed once per
 * bundle is computed here (router, RBAC grants, auth key sets, limits, CORS, transforms, headers).
 * A new runtime is built beside the old one and swapped atomically on reload.
 */
import {
  compileRbac,
  compileRouter,
  routeResource,
  type AuthMethod,
  type CompiledRbac,
  type PolicyBundle,
  type Route,
  type Router,
} from '@agentcore/policies';
import { Upstream as UpstreamSchema } from '@agentcore/policies';
import { createAuthenticationStage, type AuthenticationStage } from '../authenticate/authentication.js';
import { compileCors, type CompiledCors } from '../cors/cors-policy.js';
import { ProxyError } from '../errors.js';
import { compileHeaderTransform, type CompiledHeaderTransform } from '../forward/header-transform.js';
import { compileLimit, policyHeaderFor, type CompiledLimit } from '../rate-limit/rate-limiter.js';
import type { UpstreamPools } from '../upstream/upstream-pools.js';
import { createDiscoveredCluster, type DiscoveryOptions } from '../upstream/discovered-cluster.js';
import { createUpstreamCluster, type ClusterSnapshot, type UpstreamCluster } from '../upstream/upstream-cluster.js';

export interface UpstreamRuntime {
  readonly name: string;
  /** the targets, their balancer, health, outlier ejection, breaker and retry policy */
  readonly cluster: UpstreamCluster;
  /** origin of the first target (the WebSocket relay connects there) */
  readonly origin: string;
  readonly timeouts: { connectMs: number; perTryMs: number; totalMs: number; idleMs: number };
  readonly hasRetries: boolean;
}

/** One route, ready for the hot path. */
export interface RouteRuntime {
  readonly id: string;
  readonly index: number;
  readonly route: Route;
  readonly match: Route['match'];
  readonly isPublic: boolean;
  readonly authMethods: readonly AuthMethod[] | undefined;
  readonly permissions: readonly string[];
  readonly scopes: readonly string[];
  readonly auth: { required: boolean };
  readonly resource: string;
  readonly limits: readonly CompiledLimit[];
  /** `RateLimit-Policy` header value, when the route is limited */
  readonly rateLimitPolicy: string | undefined;
  readonly cors: CompiledCors | undefined;
  readonly requestTransform: CompiledHeaderTransform | undefined;
  readonly responseTransform: CompiledHeaderTransform | undefined;
  readonly maxBodyBytes: number;
  readonly contentTypes: ReadonlySet<string> | undefined;
  readonly upstream: UpstreamRuntime;
  readonly sse: boolean;
  /** `Authorization` / `X-API-Key` reach the backend (the route opted in); stripped otherwise */
  readonly forwardCredentials: boolean;
}

export interface PolicyRuntime {
  readonly bundle: PolicyBundle;
  readonly router: Router<RouteRuntime>;
  readonly rbac: CompiledRbac;
  readonly auth: AuthenticationStage;
  readonly routes: readonly RouteRuntime[];
  /** flat [name, value, …]: added to upstream responses when absent, and to the proxy's own responses */
  readonly securityHeaders: readonly string[];
  /** the proxy's own responses also get the CSP */
  readonly ownResponseHeaders: readonly string[];
  readonly logLevel: PolicyBundle['logging']['level'];
  readonly redactHeaders: ReadonlySet<string>;
  readonly redactQueryParams: ReadonlySet<string>;
  readonly loadedAt: number;
  /** health of every upstream's targets, for /readyz and metrics */
  upstreamSnapshots(): ClusterSnapshot[];
  /** set while draining: responses carry `Connection: close` */
  closing: boolean;
  close(): void;
}

export interface RuntimeOptions {
  /** the sidecar's local backend, e.g. http://127.0.0.1:3000 */
  localUpstream: string;
  pools: UpstreamPools;
  tls: boolean;
  env?: Record<string, string | undefined>;
  /** target health changes (one place logs them) */
  onUpstreamEvent?: (e: { upstream: string; target: string; event: 'healthy' | 'unhealthy' | 'ejected' | 'returned' }) => void;
  /** local counters are kept by this many worker processes: limits are divided between them */
  limitShare?: number;
  /** DNS discovery of upstream targets (`discovery.dns`): resolvers and what to log */
  discovery?: Pick<DiscoveryOptions, 'dnsServers' | 'onDnsError' | 'onTargets'>;
}

const ALWAYS_REDACTED = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];

function securityHeaderList(b: PolicyBundle, tls: boolean): string[] {
  const s = b.securityHeaders;
  const out: string[] = [];
  if (s.contentTypeOptions) out.push('x-content-type-options', 'nosniff');
  if (s.frameOptions !== 'off') out.push('x-frame-options', s.frameOptions);
  if (s.referrerPolicy) out.push('referrer-policy', s.referrerPolicy);
  if (tls) {
    let v = `max-age=${s.hsts.maxAgeSeconds}`;
    if (s.hsts.includeSubDomains) v += '; includeSubDomains';
    if (s.hsts.preload) v += '; preload';
    out.push('strict-transport-security', v);
  }
  return out;
}

/** One route's runtime: everything a request on it needs, precomputed once per bundle. */
function compileRoute(
  bundle: PolicyBundle,
  r: PolicyBundle['routes'][number],
  index: number,
  limitsById: ReadonlyMap<string, ReturnType<typeof compileLimit>>,
  upstreamFor: (name: string | undefined) => UpstreamRuntime,
): RouteRuntime {
  const limits = r.rateLimits.map((id) => limitsById.get(id)!);
  return {
    id: r.id,
    index,
    route: r,
    match: r.match,
    isPublic: !r.auth.required,
    authMethods: r.auth.methods,
    permissions: r.permissions,
    scopes: r.scopes,
    auth: r.auth,
    resource: routeResource(r),
    limits,
    rateLimitPolicy: policyHeaderFor(limits),
    cors: compileCors(r.cors === undefined ? bundle.cors : r.cors),
    requestTransform: compileHeaderTransform(r.headers?.request),
    responseTransform: compileHeaderTransform(r.headers?.response),
    maxBodyBytes: r.maxBodyBytes ?? bundle.limits.maxBodyBytes,
    contentTypes: r.contentTypes ? new Set(r.contentTypes) : undefined,
    upstream: upstreamFor(r.upstream),
    sse: r.sse,
    forwardCredentials: r.forwardCredentials === true,
  };
}

/** Compiles a validated bundle. Throws ProxyError on what validation cannot see (e.g. a missing introspection secret). */
export async function compileRuntime(bundle: PolicyBundle, o: RuntimeOptions): Promise<PolicyRuntime> {
  const upstreams = new Map<string, UpstreamRuntime>();
  const clusters: UpstreamCluster[] = [];
  const build = (name: string, def: UpstreamSchema): UpstreamRuntime => {
    const cluster = createUpstreamCluster(name, def, { localUpstream: o.localUpstream, pools: o.pools, ...(o.onUpstreamEvent ? { onEvent: o.onUpstreamEvent } : {}) });
    clusters.push(cluster);
    return { name, cluster, origin: cluster.targets[0]!.origin, timeouts: def.timeouts, hasRetries: (def.retries?.attempts ?? 0) > 0 };
  };
  // Upstreams with DNS discovery are resolved once before the bundle goes live (their first answer may be empty: 503).
  for (const [name, def] of Object.entries(bundle.upstreams)) {
    if (!def.discovery || !bundle.routes.some((r) => r.upstream === name)) continue;
    const cluster = await createDiscoveredCluster(name, def, { localUpstream: o.localUpstream, pools: o.pools, ...o.discovery, ...(o.onUpstreamEvent ? { onEvent: o.onUpstreamEvent } : {}) });
    clusters.push(cluster);
    const fallback = `${def.discovery.dns.scheme}://${def.discovery.dns.name}`;
    const hasRetries = (def.retries?.attempts ?? 0) > 0;
    upstreams.set(name, { name, cluster, get origin() { return cluster.targets[0]?.origin ?? fallback; }, timeouts: def.timeouts, hasRetries });
  }
  let local: UpstreamRuntime | undefined;
  const upstreamFor = (name: string | undefined): UpstreamRuntime => {
    if (name === undefined) return (local ??= build('local', UpstreamSchema.parse({})));
    let u = upstreams.get(name);
    if (!u) {
      const def = bundle.upstreams[name];
      if (!def) throw new ProxyError('PROXY_BUNDLE_INVALID', `route refers to unknown upstream "${name}"`);
      u = build(name, def);
      upstreams.set(name, u);
    }
    return u;
  };

  const limitsById = new Map(bundle.rateLimits.map((l) => [l.id, compileLimit(l, o.limitShare ?? 1)]));
  const routes = bundle.routes.map((r, index) => compileRoute(bundle, r, index, limitsById, upstreamFor));

  const auth = await createAuthenticationStage(bundle.authentication, { env: o.env ?? process.env });
  const securityHeaders = securityHeaderList(bundle, o.tls);
  return {
    bundle,
    router: compileRouter(routes),
    rbac: compileRbac(bundle.roles),
    auth,
    routes,
    securityHeaders,
    ownResponseHeaders: [...securityHeaders, 'content-security-policy', bundle.securityHeaders.contentSecurityPolicy, 'cache-control', 'no-store'],
    logLevel: bundle.logging.level,
    redactHeaders: new Set([...ALWAYS_REDACTED, ...bundle.logging.redactHeaders.map((h) => h.toLowerCase())]),
    // the WebSocket token parameters are credentials wherever they appear (issue #9)
    redactQueryParams: new Set([...bundle.logging.redactQueryParams, ...bundle.routes.flatMap((r) => (r.websocket ? [r.websocket.queryParam] : []))].map((q) => q.toLowerCase())),
    loadedAt: Date.now(),
    upstreamSnapshots: () => clusters.map((c) => c.snapshot()),
    closing: false,
    close: () => {
      auth.close();
      for (const c of clusters) c.close();
    },
  };
}
