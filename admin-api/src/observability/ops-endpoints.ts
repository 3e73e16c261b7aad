/**
 * Operating endpoints: `/healthz` (the process answers), `/readyz` (the database answers and every migration is
 * applied) and `/metrics` (Prometheus text). `/metrics` needs the `read` permission (a session or a personal access
 * token of any admin role, e.g. an auditor's PAT for the scraper) unless `--metrics-public true`: the metrics name
 * every service and its publish failures, which an unauthenticated caller on the admin port should not learn.
 */
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import type { Store } from '../store/index.js';
import { checkStoreReady } from '../store/store-health.js';
import type { AdminMetrics } from './admin-metrics.js';

const tags = ['Operations'];

/** The operating endpoints. */
export function opsEndpoints(deps: { store: Store; metrics: AdminMetrics; metricsPublic: boolean }): EndpointSpec<never, never, never>[] {
  const { store, metrics } = deps;
  const list = [
    endpoint({
      method: 'get',
      path: '/healthz',
      operationId: 'getHealth',
      summary: 'Liveness: the process answers (checks nothing else)',
      tags,
      access: 'public',
      responses: { 200: { description: 'alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: async () => ({ body: { status: 'ok' } }),
    }),
    endpoint({
      method: 'get',
      path: '/readyz',
      operationId: 'getReadiness',
      summary: 'Readiness: the database answers and every schema migration of this build is applied',
      tags,
      access: 'public',
      responses: {
        200: { description: 'ready', schema: z.object({ status: z.literal('ready') }) },
        503: { description: 'not ready (ADMIN_STORE_UNAVAILABLE); the message says why' },
      },
      async handler() {
        const r = await checkStoreReady(store);
        if (r.ok) return { body: { status: 'ready' } };
        throw new AdminError('ADMIN_STORE_UNAVAILABLE', `not ready: ${r.reason}`);
      },
    }),
    endpoint({
      method: 'get',
      path: '/metrics',
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this replica (text exposition format)',
      description: deps.metricsPublic
        ? 'Public on this deployment (`--metrics-public true`).'
        : 'Needs the `read` permission: a session, or `Authorization: Bearer <personal access token>` (an auditor PAT for the scraper). `--metrics-public true` makes it public.',
      tags,
      access: deps.metricsPublic ? 'public' : 'read',
      responses: { 200: { description: 'the metrics', contentType: 'text/plain', schema: z.string() } },
      async handler({ res }) {
        const text = await metrics.registry.metrics();
        res.status(200).type(metrics.registry.contentType).send(text);
        return undefined;
      },
    }),
  ];
  return list as unknown as EndpointSpec<never, never, never>[];
}
