/**
 * The endpoints sidecars call (docs/bundle-sync.md): the signed bundle with ETag and long-poll and status reports;
 * plus the admin view of the fleet. A sidecar credential acts for its own service only. Access-log batches are
 * ingested by `access-logs/access-log-ingest.ts`.
 */
import { SidecarStatusReport } from '@agentcore/policies';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { AdminError } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { getLatestRevision, getService, listPendingPublishes, type BundleRevision, type Store } from '../store/index.js';
import { latestRevisionNumbers, listSidecars, upsertSidecarStatus } from '../store/sidecars-repo.js';
import type { CredentialRevocations } from './credential-revocations.js';
import { sidecarFor, type VerifiedSidecar } from './verify-sidecar.js';

/** Longest long-poll a sidecar may ask for (seconds), as in the sync protocol. */
export const MAX_WAIT_SECONDS = 300;
/** A sidecar not seen for this long is `stale` (3 × the default 20 s status interval). */
export const STALE_AFTER_MS = 60_000;

/** What the bundle long-poll needs from the bundle service: a wait for a service's next revision. */
export interface RevisionFeed {
  /** the latest revision once its hash is not one of `known`; undefined after `timeoutMs` or when `signal` aborts */
  waitForChange(service: string, known: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<BundleRevision | undefined>;
}

const ServiceParams = z.object({ service: z.string().min(1).max(63) });
const BundleQuery = z.object({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(0) });
const FleetQuery = z.object({ service: z.string().min(1).max(63).optional() });

const SidecarView = z.object({
  service: z.string(),
  instanceId: z.string(),
  host: z.string(),
  appliedRevision: z.int().nullable(),
  latestRevision: z.int().nullable(),
  upToDate: z.boolean(),
  policyPending: z.boolean(),
  rejectedRevision: z.int().nullable(),
  rejectionReason: z.string().nullable(),
  uptimeSeconds: z.number().nullable(),
  counters: z.record(z.string(), z.number()),
  lastSeen: z.string(),
  stale: z.boolean(),
});

/** The entity tags of `If-None-Match` (RFC 9110 §13.1.2), unquoted; `*` kept as is. */
export function parseIfNoneMatch(header: string | undefined): Set<string> {
  const tags = new Set<string>();
  if (!header) return tags;
  for (const part of header.split(',')) {
    const t = part.trim().replace(/^W\//, '');
    if (t === '*') tags.add('*');
    else if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) tags.add(t.slice(1, -1));
  }
  return tags;
}

const matches = (known: ReadonlySet<string>, rev: BundleRevision): boolean => known.has('*') || known.has(rev.hash);

function sendBundle(res: Response, rev: BundleRevision): undefined {
  res.status(200).setHeader('etag', `"${rev.hash}"`);
  res.setHeader('x-bundle-revision', String(rev.revision));
  res.type('application/jose').send(rev.signature);
  return undefined;
}

const tags = ['Sidecar sync'];

/** The sidecar-facing endpoints and the fleet list. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function sidecarEndpoints(deps: {
  store: Store;
  waiters: RevisionFeed;
  /** re-checks the request's credential after a long-poll wait (a credential revoked meanwhile gets 401, not the bundle) */
  verify: (req: Request) => Promise<VerifiedSidecar | undefined>;
  revocations: CredentialRevocations;
  now?: () => number;
}): EndpointSpec<never, never, never>[] {
  const { store, waiters, verify, revocations } = deps;
  const now = deps.now ?? Date.now;
  const list = [
    endpoint({
      method: 'get',
      path: '/api/v1/sidecar/bundles/{service}',
      operationId: 'getSidecarBundle',
      summary: 'The latest signed bundle of a service (compact JWS), with ETag and long-poll',
      description:
        'With `If-None-Match: "<hash>"` naming the latest bundle: 304 at once (`wait=0`), or held until a new revision is published or `wait` seconds pass (then 304). 404 when the service has no revision yet (after `wait`).',
      tags,
      access: 'sidecar',
      params: ServiceParams,
      query: BundleQuery,
      responses: {
        200: { description: 'the bundle; `ETag` is its hash', contentType: 'application/jose', schema: z.string() },
        304: { description: 'the bundle named in If-None-Match is still the latest' },
        401: { description: 'missing, unknown or revoked sidecar credential' },
        403: { description: 'the credential is for another service' },
        404: { description: 'no revision published yet' },
      },
      async handler({ req, res, params, query }) {
        sidecarFor(res, params.service);
        const known = parseIfNoneMatch(req.headers['if-none-match']);
        const latest = await getLatestRevision(store, params.service);
        if (latest && !matches(known, latest)) return sendBundle(res, latest);
        let next: BundleRevision | undefined;
        if (query.wait > 0) {
          const gone = new AbortController();
          const revoked = new AbortController();
          const onClose = (): void => gone.abort();
          res.once('close', onClose);
          const stopListening = revocations.onRevoked(params.service, () => revoked.abort());
          // `*` is satisfied by any revision, so wait for one with another hash than the current.
          const waitFor = known.has('*') && latest ? new Set([latest.hash]) : known;
          try {
            next = await waiters.waitForChange(params.service, waitFor, query.wait * 1000, AbortSignal.any([gone.signal, revoked.signal]));
          } finally {
            res.off('close', onClose);
            stopListening();
          }
          if (gone.signal.aborted) return undefined;
          // The credential was valid when the wait began; it may have been revoked since (on any replica).
          res.locals.sidecar = await verify(req);
          sidecarFor(res, params.service);
        }
        if (next) return sendBundle(res, next);
        if (latest) return { status: 304, headers: { etag: `"${latest.hash}"` } };
        await getService(store, params.service); // 404 for an unknown service names the service
        throw new AdminError('ADMIN_NO_REVISION', `service "${params.service}" has no published bundle yet`);
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/sidecar/status',
      operationId: 'reportSidecarStatus',
      summary: 'A sidecar reports what it enforces (applied and rejected revisions, counters)',
      tags,
      access: 'sidecar',
      body: SidecarStatusReport,
      responses: { 204: { description: 'recorded' }, 403: { description: 'the report names another service than the credential' } },
      async handler({ res, body }) {
        const sidecar = sidecarFor(res, body.service);
        await upsertSidecarStatus(store, sidecar.service, body, now());
        return { status: 204 };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/sidecars',
      operationId: 'listSidecars',
      summary: 'The sidecar fleet: last seen, applied / rejected revision, whether each runs the latest revision',
      description: `\`stale\`: not seen for ${STALE_AFTER_MS / 1000} s. \`policyPending\`: the service's desired policy state is not published yet (a change within the last ~50 ms, or a failing publish: see bundle-status). \`upToDate\`: applied revision = the service's latest revision and nothing is pending — compared with the latest *desired* state, not only the latest published revision.`,
      tags: ['Sidecars'],
      access: 'read',
      query: FleetQuery,
      responses: { 200: { description: 'the fleet', schema: z.object({ items: z.array(SidecarView) }) } },
      async handler({ query }) {
        const [sidecars, latest, pendingList] = await Promise.all([listSidecars(store, query.service), latestRevisionNumbers(store, query.service), listPendingPublishes(store, query.service)]);
        const pending = new Set(pendingList.map((p) => p.service));
        const t = now();
        return {
          body: {
            items: sidecars.map((s) => {
              const latestRevision = latest.get(s.service) ?? null;
              return {
                service: s.service,
                instanceId: s.instanceId,
                host: s.host,
                appliedRevision: s.appliedRevision,
                latestRevision,
                upToDate: latestRevision !== null && s.appliedRevision === latestRevision && !pending.has(s.service),
                policyPending: pending.has(s.service),
                rejectedRevision: s.rejectedRevision,
                rejectionReason: s.rejectionReason,
                uptimeSeconds: s.uptimeMs === null ? null : s.uptimeMs / 1000,
                counters: s.counters,
                lastSeen: new Date(s.lastSeen).toISOString(),
                stale: t - s.lastSeen > STALE_AFTER_MS,
              };
            }),
          },
        };
      },
    }),
  ];
  return list as unknown as EndpointSpec<never, never, never>[];
}
