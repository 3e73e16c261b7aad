/**
 * Ships access decisions (allowed and denied) to the control plane for auditors:
 * `POST {controlPlane}/api/v1/sidecar/access-logs` with an `AccessLogBatch`. Records wait in a bounded
 * buffer; when the control plane is down they stay there and are retried with jittered back-off, so a
 * brief outage loses nothing. Only when the buffer is full are the OLDEST records dropped, and the drop
 * count travels with the next batch (and in `dropped`, for metrics).
 */
import type { AccessLogRecord } from '@agentcore/policies';
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/request-context.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { createControlPlaneClient, discardBody, type ControlPlaneClient, type ControlPlaneFetch } from './control-plane-fetch.js';

export interface AccessLogShipperOptions {
  controlPlane: string;
  token: string;
  instanceId: string;
  /** records kept at most while the control plane is unreachable (default 100,000) */
  maxBuffered?: number;
  /** records per POST (default 1,000) */
  batchSize?: number;
  /** time between sends when records are waiting (default 1,000 ms) */
  intervalMs?: number;
  backoff?: BackoffOptions;
  fetch?: ControlPlaneFetch;
  log?: Logger;
  random?: () => number;
}

export interface AccessLogShipper {
  /** queues the record of a finished request; O(1), never blocks */
  record(ctx: RequestContext, status: number): void;
  /** sends what is buffered now; resolves true when the buffer was emptied */
  flush(): Promise<boolean>;
  readonly buffered: number;
  /** records discarded because the buffer was full, since start */
  readonly dropped: number;
  /** stops the timer, tries one last flush (bounded by `timeoutMs`), closes sockets */
  stop(timeoutMs?: number): Promise<void>;
}

/** The record of one request, as the control plane stores it. */
export function accessLogRecordOf(ctx: RequestContext, status: number, end: number): AccessLogRecord {
  const p = ctx.principal;
  return {
    at: ctx.now,
    request_id: ctx.requestId,
    method: ctx.method.slice(0, 16),
    path: ctx.path.slice(0, 8192),
    route_id: ctx.route?.id ?? null,
    status,
    decision: ctx.decision,
    reason: (ctx.reason || 'UNKNOWN').slice(0, 64),
    principal: p?.id.slice(0, 256) ?? null,
    api_key_id: p?.method === 'api-key' ? p.credentialId : null,
    auth_method: p?.method ?? null,
    client: ctx.clientAddress.slice(0, 64),
    latency_ms: Math.round((end - ctx.startedAt) * 100) / 100,
  };
}

/** Posts one batch; true when the control plane took it (2xx). */
async function postBatch(client: ControlPlaneClient, url: string, o: AccessLogShipperOptions, body: string, abort: AbortSignal): Promise<boolean> {
  try {
    const res = await client.fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.token}`, 'content-type': 'application/json', 'x-sidecar-instance': o.instanceId },
      body,
      signal: AbortSignal.any([abort, AbortSignal.timeout(10_000)]),
    });
    await discardBody(res);
    const ok = res.status >= 200 && res.status < 300;
    if (!ok) o.log?.warn({ status: res.status }, 'access-log batch refused by the control plane; will retry');
    return ok;
  } catch (e) {
    o.log?.debug({ err: e }, 'access-log batch not sent; will retry');
    return false;
  }
}

/** The options with their defaults. */
function settingsOf(o: AccessLogShipperOptions): { maxBuffered: number; batchSize: number; intervalMs: number; backoff: BackoffOptions } {
  return { maxBuffered: o.maxBuffered ?? 100_000, batchSize: o.batchSize ?? 1_000, intervalMs: o.intervalMs ?? 1_000, backoff: o.backoff ?? { baseMs: 500, maxMs: 30_000 } };
}

/** Builds the shipper; nothing is sent until a record arrives. */
export function createAccessLogShipper(o: AccessLogShipperOptions): AccessLogShipper {
  const url = new URL('/api/v1/sidecar/access-logs', o.controlPlane).toString();
  const { maxBuffered, batchSize, intervalMs, backoff } = settingsOf(o);
  const client = createControlPlaneClient(o.fetch);
  // An array, not a ring: batches are spliced from the front, fine at these sizes.
  let queue: AccessLogRecord[] = [];
  let dropped = 0;
  let droppedUnreported = 0;
  let failures = 0;
  let sending: Promise<boolean> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const abort = new AbortController();
  const schedule = (ms: number): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void tick();
    }, ms);
    timer.unref();
  };

  const sendBatch = async (): Promise<boolean> => {
    while (queue.length > 0 || droppedUnreported > 0) {
      const records = queue.slice(0, batchSize);
      const reportedDrops = droppedUnreported;
      const body = JSON.stringify({ instance_id: o.instanceId, records, dropped: reportedDrops });
      const ok = await postBatch(client, url, o, body, abort.signal);
      if (!ok) return false;
      // Remove exactly what was sent (records pushed meanwhile stay; drops meanwhile stay counted).
      queue.splice(0, records.length);
      droppedUnreported -= reportedDrops;
    }
    return true;
  };

  const tick = async (): Promise<void> => {
    const ok = await flush();
    if (stopped) return;
    failures = ok ? 0 : failures + 1;
    if (queue.length > 0 || droppedUnreported > 0) schedule(ok ? intervalMs : backoffDelay(failures, backoff, o.random));
  };

  const flush = (): Promise<boolean> => {
    sending ??= sendBatch().finally(() => (sending = undefined));
    return sending;
  };

  return {
    record(ctx, status) {
      if (stopped) return;
      if (queue.length >= maxBuffered) {
        queue.shift();
        dropped++;
        droppedUnreported++;
      }
      queue.push(accessLogRecordOf(ctx, status, performance.now()));
      // A full batch goes out at once (unless we are backing off); otherwise within intervalMs.
      if (queue.length === batchSize && failures === 0 && sending === undefined) schedule(0);
      else if (timer === undefined && sending === undefined) schedule(intervalMs);
    },
    flush,
    get buffered() {
      return queue.length;
    },
    get dropped() {
      return dropped;
    },
    async stop(timeoutMs = 2_000) {
      stopped = true;
      clearTimeout(timer);
      if (queue.length > 0) await Promise.race([flush(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      abort.abort();
      queue = [];
      await client.close();
    },
  };
}
