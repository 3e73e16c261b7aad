/**
 * Sidecar status reports: `POST {controlPlane}/api/v1/sidecar/status` every interval (and once at start), so the
 * console can list the fleet with its applied and rejected revisions. A failed report is only logged at debug: the
 * next one carries the whole state again. Wire shape: `SidecarStatusReport` (docs/bundle-sync.md).
 */
import { hostname } from 'node:os';
import { pino, type Logger } from 'pino';
import type { SidecarStatusReport } from '@agentcore/policies';
import { ProxyError } from '../errors.js';
import { createControlPlaneClient, discardBody, type ControlPlaneFetch } from './control-plane-fetch.js';

export { SidecarStatusReport } from '@agentcore/policies';

/** What the sidecar's runtime provides at each report; the reporter adds identity, host, uptime and time. */
export interface SidecarStatus {
  applied_revision: number | null;
  applied_hash?: string | null;
  rejected_revision: number | null;
  rejection_reason: string | null;
  connected: boolean;
  counters: { requests: number; denied: number; [name: string]: number };
}

export interface StatusReporterOptions {
  controlPlane: string;
  service: string;
  token: string;
  instanceId: string;
  intervalMs: number;
  getStatus: () => SidecarStatus;
  fetch?: ControlPlaneFetch;
  log?: Logger;
  /** time source (ms since the epoch); default Date.now */
  now?: () => number;
}

export interface StatusReporter {
  /** Sends a report now, then one every `intervalMs` until stop(). */
  start(): void;
  /** Sends one report; resolves true when the control plane accepted it (2xx). Never throws. */
  reportOnce(): Promise<boolean>;
  /** Cancels the timer and any report in flight, and closes the sockets it opened. */
  stop(): Promise<void>;
}

/** The status endpoint of the control plane; checks the options (throws `PROXY_SYNC_CONFIG_INVALID`). */
function statusUrl(o: StatusReporterOptions): string {
  let base: URL;
  try {
    base = new URL(o.controlPlane);
  } catch {
    throw new ProxyError('PROXY_SYNC_CONFIG_INVALID', `status reporter: controlPlane must be an http(s) URL, got "${o.controlPlane}"`);
  }
  if (!Number.isFinite(o.intervalMs) || o.intervalMs < 100) {
    throw new ProxyError('PROXY_SYNC_CONFIG_INVALID', `status reporter: intervalMs must be at least 100, got ${o.intervalMs}`);
  }
  return `${base.origin}${base.pathname.replace(/\/+$/, '')}/api/v1/sidecar/status`;
}

/** The report sent now. */
function reportOf(o: StatusReporterOptions, host: string, startedAt: number, at: number): SidecarStatusReport {
  const s = o.getStatus();
  return {
    instance_id: o.instanceId,
    service: o.service,
    host,
    applied_revision: s.applied_revision,
    applied_hash: s.applied_hash ?? null,
    rejected_revision: s.rejected_revision,
    rejection_reason: s.rejection_reason,
    connected: s.connected,
    uptime_s: Math.max(0, Math.round((at - startedAt) / 1000)),
    counters: { ...s.counters },
    reported_at: new Date(at).toISOString(),
  };
}

/** Builds a status reporter; options are checked here (throws `PROXY_SYNC_CONFIG_INVALID`). */
export function createStatusReporter(o: StatusReporterOptions): StatusReporter {
  const url = statusUrl(o);
  const log = (o.log ?? pino({ enabled: false })).child({ component: 'status-reporter' });
  const now = o.now ?? Date.now;
  const startedAt = now();
  const host = hostname();
  const client = createControlPlaneClient(o.fetch);
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;
  let running = false;

  async function send(): Promise<boolean> {
    const ac = new AbortController();
    const onStop = (): void => ac.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const timeout = setTimeout(() => ac.abort(), Math.max(1000, o.intervalMs));
    try {
      const res = await client.fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${o.token}`, 'x-sidecar-instance': o.instanceId, 'content-type': 'application/json' },
        body: JSON.stringify(reportOf(o, host, startedAt, now())),
        signal: ac.signal,
      });
      await discardBody(res);
      if (res.status >= 200 && res.status < 300) return true;
      log.debug({ status: res.status }, 'status report refused');
      return false;
    } catch (e) {
      log.debug({ err: e }, 'status report failed');
      return false;
    } finally {
      clearTimeout(timeout);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  function reportOnce(): Promise<boolean> {
    if (stopping.signal.aborted) return Promise.resolve(false);
    const p = send();
    inFlight = p;
    return p;
  }

  function schedule(): void {
    if (stopping.signal.aborted) return;
    timer = setTimeout(() => {
      void reportOnce().then(schedule);
    }, o.intervalMs);
    timer.unref();
  }

  return {
    start() {
      if (running || stopping.signal.aborted) return;
      running = true;
      void reportOnce().then(schedule);
    },
    reportOnce,
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await inFlight;
      await client.close();
    },
  };
}
