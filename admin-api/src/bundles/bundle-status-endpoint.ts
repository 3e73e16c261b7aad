/** GET /api/v1/services/{service}/bundle-status: is the desired policy state published, the last failure, the retry. */
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { getLatestRevision, getPublishStatus, getService, type Store } from '../store/index.js';

const ServiceParams = z.object({ service: z.string().min(1).max(63) });
const Issue = z.object({ path: z.string(), message: z.string() });

/** The answer of the bundle-status endpoint. */
export const BundleStatusView = z.object({
  service: z.string(),
  publishedRevision: z.int().nullable(),
  publishedAt: z.string().nullable(),
  lastChangeAt: z.string().nullable(),
  upToDate: z.boolean(),
  lastFailure: z.object({ at: z.string(), code: z.string(), message: z.string(), issues: z.array(Issue) }).nullable(),
  retry: z.object({ attempts: z.int(), nextAttemptAt: z.string().nullable() }).nullable(),
});

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The bundle-status endpoint ('read'). */
export function bundleStatusEndpoint(deps: { store: Store }): EndpointSpec<never, never, never> {
  const { store } = deps;
  return endpoint({
    method: 'get',
    path: '/api/v1/services/{service}/bundle-status',
    operationId: 'getBundleStatus',
    summary: 'Whether the desired policy state of a service is published; the last publish failure and the retry',
    description:
      '`upToDate` is false while a committed change is not yet in a published revision (for ~50 ms after each change, or until a failing publish succeeds). `lastFailure` and `retry` are kept in the store: they survive a restart of the admin API. Failed publishes are retried with exponential back-off (1 s doubling to 60 s).',
    tags: ['Bundles'],
    access: 'read',
    params: ServiceParams,
    responses: { 200: { description: 'the publish status', schema: BundleStatusView }, 404: { description: 'no such service' } },
    async handler({ params }) {
      await getService(store, params.service);
      const [status, latest] = await Promise.all([getPublishStatus(store, params.service), getLatestRevision(store, params.service)]);
      const failure = status?.lastFailure ?? null;
      return {
        body: {
          service: params.service,
          publishedRevision: latest?.revision ?? null,
          publishedAt: iso(latest?.createdAt),
          lastChangeAt: iso(status?.desiredAt),
          upToDate: !status?.pending,
          lastFailure: failure ? { at: iso(failure.at)!, code: failure.code, message: failure.message, issues: failure.issues } : null,
          retry: status?.pending && status.failures > 0 ? { attempts: status.failures, nextAttemptAt: iso(status.nextRetryAt) } : null,
        },
      };
    },
  }) as unknown as EndpointSpec<never, never, never>;
}
