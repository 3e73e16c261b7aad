/**
 * The wire contract between sidecars and the control plane (docs/bundle-sync.md): the signed-bundle
 * media type, status reports and access-log batches. Both sides validate with these schemas.
 */
import { z } from 'zod';

/** `typ` of the compact JWS that carries a bundle. */
export const BUNDLE_JWS_TYPE = 'agentcore-bundle+jws';

/** `POST /api/v1/sidecar/status` body (snake_case, as the admin API's JSON). */
export const SidecarStatusReport = z.object({
  instance_id: z.string().min(1).max(128),
  service: z.string().min(1).max(63),
  host: z.string().max(255),
  /** revision and hash of the enforced bundle; null before the first one */
  applied_revision: z.int().min(0).nullable(),
  applied_hash: z.string().max(80).nullable(),
  /** the last refused bundle (revision as claimed by it) and why; null if none */
  rejected_revision: z.int().min(0).nullable(),
  rejection_reason: z.string().max(4000).nullable(),
  /** the last bundle poll got an answer */
  connected: z.boolean(),
  uptime_s: z.number().min(0),
  /** counters since start: requests, denied, … */
  counters: z.record(z.string().max(64), z.number()),
  /** ISO 8601 time of the report */
  reported_at: z.string().max(40),
});
export type SidecarStatusReport = z.infer<typeof SidecarStatusReport>;

/** One access decision as a sidecar reports it to the control plane (allowed and denied alike). */
export const AccessLogRecord = z.object({
  /** ms since the epoch */
  at: z.int().min(0),
  request_id: z.string().max(128),
  method: z.string().max(16),
  /** normalised path */
  path: z.string().max(8192),
  route_id: z.string().max(64).nullable(),
  status: z.int().min(100).max(999),
  decision: z.enum(['allow', 'deny', 'error']),
  reason: z.string().max(64),
  principal: z.string().max(256).nullable(),
  /** the API key id when the request used one */
  api_key_id: z.string().max(64).nullable(),
  auth_method: z.string().max(16).nullable(),
  client: z.string().max(64),
  latency_ms: z.number().min(0),
});
export type AccessLogRecord = z.infer<typeof AccessLogRecord>;

/** `POST /api/v1/sidecar/access-logs` body. `dropped` counts records the sidecar had to discard since its last batch. */
export const AccessLogBatch = z.object({
  instance_id: z.string().min(1).max(128),
  records: z.array(AccessLogRecord).max(5000),
  dropped: z.int().min(0).default(0),
});
export type AccessLogBatch = z.infer<typeof AccessLogBatch>;
