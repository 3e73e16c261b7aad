/**
 * The one mapping of an access-decision record: the sidecar's wire record (`@agentcore/policies`
 * `AccessLogRecord`, snake_case) ↔ the domain record (camelCase, the service from the credential) ↔ the
 * `access_logs` row. Ingest, storage and export all go through these three functions.
 */
import type { AccessLogRecord as WireAccessLogRecord } from '@agentcore/policies';
import type { Insertable, Selectable } from 'kysely';
import type { AccessLogsTable } from './database.js';

/** One access-decision record. `at` is epoch ms. */
export interface AccessLogRecord {
  at: number;
  service: string;
  requestId: string | null;
  principal: string | null;
  apiKeyId: string | null;
  routeId: string | null;
  method: string;
  path: string;
  status: number;
  /** the sidecar's decision (`allow`, `deny`…) */
  decision: string;
  /** reason code (`GRANTED`, `MISSING_PERMISSION`, `RATE_LIMITED`…) */
  reason: string | null;
  client: string | null;
  latencyMs: number | null;
}

/** A stored record with its id. */
export interface StoredAccessLog extends AccessLogRecord {
  id: number;
}

/** Wire → domain: a sidecar's record, attributed to the service of the credential that sent it. */
export function fromWireRecord(r: WireAccessLogRecord, service: string): AccessLogRecord {
  return {
    at: r.at,
    service,
    requestId: r.request_id,
    principal: r.principal,
    apiKeyId: r.api_key_id,
    routeId: r.route_id,
    method: r.method,
    path: r.path,
    status: r.status,
    decision: r.decision,
    reason: r.reason,
    client: r.client,
    latencyMs: r.latency_ms,
  };
}

/** Domain → row. */
export function toAccessLogRow(r: AccessLogRecord): Insertable<AccessLogsTable> {
  return {
    at: r.at,
    service: r.service,
    request_id: r.requestId,
    principal: r.principal,
    api_key_id: r.apiKeyId,
    route_id: r.routeId,
    method: r.method,
    path: r.path,
    status: r.status,
    decision: r.decision,
    reason: r.reason,
    client: r.client,
    latency_ms: r.latencyMs,
  };
}

/** Row → domain (bigint columns of PostgreSQL come back as strings: numbers here). */
export function fromAccessLogRow(r: Selectable<AccessLogsTable>): StoredAccessLog {
  return {
    id: Number(r.id),
    at: Number(r.at),
    service: r.service,
    requestId: r.request_id,
    principal: r.principal,
    apiKeyId: r.api_key_id,
    routeId: r.route_id,
    method: r.method,
    path: r.path,
    status: r.status,
    decision: r.decision,
    reason: r.reason,
    client: r.client,
    latencyMs: r.latency_ms,
  };
}
