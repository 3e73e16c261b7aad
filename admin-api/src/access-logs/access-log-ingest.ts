/**
 * Ingest of the access-log batches sidecars send (docs/bundle-sync.md): records are mapped from the wire once
 * (`store/access-log-record.ts`), attributed to the credential's service, stored, and the last use of each
 * API key of that service is recorded; records a sidecar had to drop are counted on its fleet row.
 */
import { AccessLogBatch } from '@agentcore/policies';
import type { Logger } from 'pino';
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { sidecarFor } from '../sidecar/verify-sidecar.js';
import { fromWireRecord, insertAccessLogs, recordApiKeyUse, type Store } from '../store/index.js';
import { addDroppedAccessLogs } from '../store/sidecars-repo.js';

/** The last use of each API key named in `records` (epoch ms). */
function lastUseByKey(records: readonly { api_key_id: string | null; at: number }[]): { id: string; at: number }[] {
  const lastUse = new Map<string, number>();
  for (const r of records) if (r.api_key_id !== null) lastUse.set(r.api_key_id, Math.max(lastUse.get(r.api_key_id) ?? 0, r.at));
  return [...lastUse].map(([id, at]) => ({ id, at }));
}

/** POST /api/v1/sidecar/access-logs (access 'sidecar'). */
export function accessLogIngestEndpoints(deps: { store: Store; log: Logger; now?: () => number }): EndpointSpec<never, never, never>[] {
  const { store, log } = deps;
  const now = deps.now ?? Date.now;
  const ingest = endpoint({
    method: 'post',
    path: '/api/v1/sidecar/access-logs',
    operationId: 'ingestAccessLogs',
    summary: 'A batch of access-decision records from a sidecar (up to 5000; body up to 8 MiB)',
    tags: ['Sidecar sync'],
    access: 'sidecar',
    body: AccessLogBatch,
    responses: { 202: { description: 'stored', schema: z.object({ accepted: z.int() }) } },
    async handler({ res, body }) {
      const { service } = sidecarFor(res, undefined);
      const records = body.records.map((r) => fromWireRecord(r, service));
      await insertAccessLogs(store, records);
      // Only keys of the credential's own service: a sidecar cannot touch another service's keys.
      await recordApiKeyUse(store, service, lastUseByKey(body.records));
      if (body.dropped > 0) {
        log.warn({ service, instance_id: body.instance_id, dropped: body.dropped }, 'sidecar dropped access-log records');
        await addDroppedAccessLogs(store, service, body.instance_id, body.dropped, now());
      }
      return { status: 202, body: { accepted: records.length } };
    },
  });
  return [ingest] as unknown as EndpointSpec<never, never, never>[];
}
