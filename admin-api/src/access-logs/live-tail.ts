/**
 * `GET /api/v1/access-logs/live`: access decisions as they are ingested, as server-sent events (one
 * `access` event per record, its id the record id, so a reconnecting EventSource resumes with
 * Last-Event-ID). Each connection polls the store by record id (insertion order, whatever the
 * sidecars' clocks), so it works the same with one replica or many on PostgreSQL.
 */
import type { Response } from 'express';
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { dbOf } from '../store/queryable.js';
import type { Store } from '../store/index.js';
import { accessLogView } from './access-log-endpoints.js';
import { ExactParam } from './query-params.js';

const LiveQuery = z.strictObject({
  service: ExactParam.optional().describe('only this service'),
  decision: z.string().regex(/^[a-z_]{1,32}$/, 'must be a decision like allow or deny').optional().describe('only this decision'),
});

/** How the tail polls; tests shorten it. */
export interface LiveTailOptions {
  pollMs?: number;
  heartbeatMs?: number;
  /** records per poll at most (the rest follow on the next poll) */
  batch?: number;
}

type Filter = z.infer<typeof LiveQuery>;

async function newerThan(store: Store, after: number, f: Filter, limit: number) {
  let q = dbOf(store).selectFrom('access_logs').selectAll().where('id', '>', after);
  if (f.service !== undefined) q = q.where('service', '=', f.service);
  if (f.decision !== undefined) q = q.where('decision', '=', f.decision);
  return q.orderBy('id', 'asc').limit(limit).execute();
}

async function lastId(store: Store): Promise<number> {
  const r = await dbOf(store).selectFrom('access_logs').select((eb) => eb.fn.max('id').as('max')).executeTakeFirst();
  return Number(r?.max ?? 0);
}

function send(res: Response, row: Awaited<ReturnType<typeof newerThan>>[number]): void {
  const view = accessLogView({
    id: Number(row.id), at: Number(row.at), service: row.service, requestId: row.request_id, principal: row.principal, apiKeyId: row.api_key_id,
    routeId: row.route_id, method: row.method, path: row.path, status: row.status, decision: row.decision, reason: row.reason, client: row.client, latencyMs: row.latency_ms,
  });
  res.write(`id: ${view.id}\nevent: access\ndata: ${JSON.stringify(view)}\n\n`);
}

/** The live-tail endpoint. */
export function liveTailEndpoints(deps: { store: Store }, o: LiveTailOptions = {}): EndpointSpec<never, never, never>[] {
  const pollMs = o.pollMs ?? 500;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  const batch = o.batch ?? 500;
  return [
    endpoint({
      method: 'get',
      path: '/api/v1/access-logs/live',
      operationId: 'tailAccessLogs',
      summary: 'Access decisions as they arrive (server-sent events)',
      description:
        'text/event-stream: an `access` event per record ingested after the connection opened (or after Last-Event-ID), data = the record as in the search; a comment line every 15 s keeps proxies from closing it. Records appear within about half a second of ingestion.',
      tags: ['access-logs'],
      access: 'logs:read',
      query: LiveQuery,
      responses: { 200: { description: 'the event stream', contentType: 'text/event-stream' } },
      async handler({ req, res, query }) {
        const resume = Number(req.headers['last-event-id']);
        let after = Number.isSafeInteger(resume) && resume >= 0 ? resume : await lastId(deps.store);
        res.status(200);
        res.setHeader('content-type', 'text/event-stream; charset=utf-8');
        res.setHeader('cache-control', 'no-store');
        res.setHeader('x-accel-buffering', 'no');
        res.flushHeaders();
        res.write(': connected\n\n');
        let open = true;
        req.on('close', () => (open = false));
        let lastWrite = Date.now();
        while (open) {
          const rows = await newerThan(deps.store, after, query, batch);
          for (const r of rows) send(res, r);
          if (rows.length) {
            after = Number(rows[rows.length - 1]!.id);
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite >= heartbeatMs) {
            res.write(': keep-alive\n\n');
            lastWrite = Date.now();
          }
          if (rows.length < batch) await new Promise((r) => setTimeout(r, pollMs));
        }
        res.end();
        return undefined;
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
