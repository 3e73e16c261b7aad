/**
 * The admin API's Prometheus metrics (prom-client 15, its own registry per instance): HTTP requests by operation,
 * long-poll waiters, bundle publishes (duration, failures, revision per service, services with unpublished desired
 * state) and store errors. docs/operations.md lists them.
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PublishObserver } from '../bundles/publish-failures.js';
import { listPendingPublishes, StoreError, type Store } from '../store/index.js';

export interface AdminMetrics {
  readonly registry: Registry;
  /** Express middleware recording every request when its response finishes */
  readonly http: RequestHandler;
  /** publish hooks for the bundle service */
  readonly publishes: PublishObserver;
  /** counts a store error (any StoreError; other values are ignored) */
  storeError(err: unknown): void;
  /** sets the bundle revision gauge of a service (at start, from the store) */
  revision(service: string, revision: number): void;
}

/** `ADMIN_STORE_NOT_FOUND` → `not_found`. */
export const storeErrorKind = (code: string): string => code.replace(/^ADMIN_STORE_/, '').toLowerCase();

/** Builds the metrics; `waiters()` and `store` are read at scrape time. */
export function createAdminMetrics(deps: { store: Store; waiters: () => number; defaultMetrics?: boolean }): AdminMetrics {
  const registry = new Registry();
  if (deps.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'agentcore_admin_' });
  const requests = new Counter({ name: 'agentcore_admin_http_requests_total', help: 'HTTP requests by operation (OpenAPI operationId, "unmatched" when no endpoint), method and status class', labelNames: ['operation', 'method', 'status_class'] as const, registers: [registry] });
  const duration = new Histogram({ name: 'agentcore_admin_http_request_duration_seconds', help: 'HTTP request duration (long-polls included: getSidecarBundle lasts up to its wait)', labelNames: ['operation', 'method'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry] });
  new Gauge({ name: 'agentcore_admin_bundle_longpoll_waiters', help: 'Bundle long-polls waiting on this replica', registers: [registry], collect() { this.set(deps.waiters()); } });
  const publishDuration = new Histogram({ name: 'agentcore_admin_bundle_publish_duration_seconds', help: 'Successful bundle publishes: compile, validate, sign, store', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] });
  const revision = new Gauge({ name: 'agentcore_admin_bundle_revision', help: 'Latest published bundle revision per service (set by this replica)', labelNames: ['service'] as const, registers: [registry] });
  const failures = new Counter({ name: 'agentcore_admin_bundle_publish_failures_total', help: 'Failed bundle publish attempts per service (retries included)', labelNames: ['service'] as const, registers: [registry] });
  const storeErrors = new Counter({ name: 'agentcore_admin_store_errors_total', help: 'Store errors by kind (unavailable, conflict, not_found, precondition_failed, migration_failed, …)', labelNames: ['kind'] as const, registers: [registry] });
  new Gauge({
    name: 'agentcore_admin_bundle_unpublished_services',
    help: 'Services whose desired policy state is not published (read from the store at scrape time; -1 when the store cannot be read)',
    registers: [registry],
    async collect() {
      this.set(await listPendingPublishes(deps.store).then((l) => l.length, () => -1));
    },
  });

  const storeError = (err: unknown): void => {
    if (err instanceof StoreError) storeErrors.inc({ kind: storeErrorKind(err.code) });
  };
  const http: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      const labels = { operation: (res.locals.operation as string | undefined) ?? 'unmatched', method: req.method };
      end(labels);
      requests.inc({ ...labels, status_class: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };
  return {
    registry,
    http,
    publishes: {
      published(service, rev, seconds) {
        publishDuration.observe(seconds);
        revision.set({ service }, rev);
      },
      failed(service, err) {
        failures.inc({ service });
        storeError(err);
      },
    },
    storeError,
    revision: (service, rev) => revision.set({ service }, rev),
  };
}
