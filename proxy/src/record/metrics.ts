/**
 * Prometheus metrics (prom-client) served on the admin port. Labels are bounded: route ids from the
 * bundle (never raw paths), a fixed method set, status classes, decisions and reason codes.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics.js';
import type { RequestContext } from '../pipeline/request-context.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const STATUS_CLASS = ['1xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly requests = new FastCounter(
    'agentcore_proxy_requests_total',
    'Requests by route id, method, status class and decision.',
    ['route', 'method', 'status_class', 'decision'],
    this.registry,
  );
  readonly duration = new FastHistogram(
    'agentcore_proxy_request_duration_seconds',
    'Total time in the sidecar, from accept to the last byte written.',
    ['route', 'method', 'status_class', 'decision'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    this.registry,
  );
  readonly upstreamDuration = new FastHistogram(
    'agentcore_proxy_upstream_duration_seconds',
    'Time from dispatch to the upstream response headers, by route.',
    ['route'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    this.registry,
  );
  readonly upstreamErrors = new FastCounter(
    'agentcore_proxy_upstream_errors_total',
    'Upstream failures by route and kind (connect-refused, timeout, malformed-response, client-aborted, ...).',
    ['route', 'kind'],
    this.registry,
  );
  readonly authFailures = new FastCounter('agentcore_proxy_auth_failures_total', 'Authentication failures by reason code.', ['reason'], this.registry);
  readonly rateLimitDecisions = new FastCounter(
    'agentcore_proxy_rate_limit_decisions_total',
    'Rate-limit decisions on limited routes, by route and result.',
    ['route', 'result'],
    this.registry,
  );
  readonly rateLimitStoreUp = new Gauge({
    name: 'agentcore_proxy_rate_limit_redis_up',
    help: '1 while rate limits are decided in Redis, 0 while the fallback applies (absent without --redis).',
    aggregator: 'min',
    registers: [this.registry],
  });
  readonly rateLimitFallbacks = new Counter({
    name: 'agentcore_proxy_rate_limit_redis_fallbacks_total',
    help: 'Switches from Redis to the configured fallback.',
    registers: [this.registry],
  });
  readonly upstreamTargetHealthy = new Gauge({
    name: 'agentcore_proxy_upstream_target_healthy',
    help: '1 when an upstream target takes traffic (healthy and not ejected), else 0.',
    labelNames: ['upstream', 'target'] as const,
    aggregator: 'min',
    registers: [this.registry],
  });
  readonly bundleRevision = new Gauge({
    name: 'agentcore_proxy_bundle_revision',
    help: 'Revision of the policy bundle being enforced (with --workers: the lowest of the workers).',
    aggregator: 'min',
    labelNames: ['service'] as const,
    registers: [this.registry],
  });
  readonly bundleReloads = new Counter({
    name: 'agentcore_proxy_bundle_reloads_total',
    help: 'Bundle loads by result (applied, rejected).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'agentcore_proxy_' });
  }

  /** Records one finished request (label values in `labelNames` order; see fast-metrics.ts for why not objects). */
  observe(ctx: RequestContext, status: number, end: number): void {
    const route = ctx.route?.id ?? '(none)';
    const method = KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER';
    const statusClass = STATUS_CLASS[Math.trunc(status / 100)] ?? 'other';
    const labels = [route, method, statusClass, ctx.decision];
    this.requests.inc(labels);
    this.duration.observe(labels, (end - ctx.startedAt) / 1e3);
    if (ctx.upstreamStart !== 0 && ctx.upstreamEnd !== 0) this.upstreamDuration.observe([route], (ctx.upstreamEnd - ctx.upstreamStart) / 1e3);
    if (ctx.upstreamError) this.upstreamErrors.inc([route, ctx.upstreamError]);
    if (ctx.authFailure) this.authFailures.inc([ctx.authFailure]);
    if (ctx.rateLimitResult) this.rateLimitDecisions.inc([route, ctx.rateLimitResult]);
  }
}
