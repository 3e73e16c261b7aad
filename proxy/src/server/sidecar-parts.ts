/**
 * The parts of a running sidecar, built (not started) from its config: the runtime options bundles are compiled
 * with, and the request path (stages, pipeline, upgrades, recorder) with the traffic and admin servers around it.
 */
import type { Logger } from 'pino';
import type { DestinationStream } from 'pino';
import type { BundleHolder } from '../bundle/bundle-holder.js';
import type { RuntimeOptions } from '../bundle/policy-runtime.js';
import type { SyncedSource } from '../bundle/synced-source.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { ProxyConfig } from '../config.js';
import { adminPublishHandler } from '../events/admin-publish.js';
import type { SidecarEvents } from '../events/sidecar-events.js';
import { createPipeline } from '../pipeline/pipeline.js';
import { requestStages } from '../pipeline/stages.js';
import type { LimitStore } from '../rate-limit/limit-store.js';
import { AccessLogBatcher, type AccessLogSink } from '../record/access-log.js';
import type { ProxyMetrics } from '../record/metrics.js';
import { createRecorder } from '../record/recorder.js';
import type { RequestTracer } from '../tracing/request-tracer.js';
import type { UpstreamPools } from '../upstream/upstream-pools.js';
import { createUpgradeHandler } from '../websocket/upgrade-handler.js';
import { createAdminServer } from './admin-server.js';
import { InFlight } from './in-flight.js';
import { createTrafficServer, type TrafficHandlers } from './traffic-server.js';

/** Embedding options that change how bundles compile. */
export interface RuntimeEmbedding {
  env?: Record<string, string | undefined>;
  limitShare?: number;
}

/** What compiling a bundle needs from the process. */
export function runtimeOptions(config: ProxyConfig, options: RuntimeEmbedding, pools: UpstreamPools, metrics: ProxyMetrics, log: Logger): RuntimeOptions {
  return {
    localUpstream: config.upstream,
    pools,
    tls: config.tlsCert !== undefined,
    env: options.env ?? process.env,
    limitShare: config.redis ? 1 : (options.limitShare ?? 1),
    discovery: {
      dnsServers: config.dnsServers?.split(','),
      onDnsError: (upstream, err) => log.warn({ upstream, err: err.message }, 'DNS discovery failed; keeping the last targets'),
      onTargets: (upstream, targets) => log.info({ upstream, targets }, 'DNS discovery: upstream targets changed'),
    },
    onUpstreamEvent: (e) => {
      metrics.upstreamTargetHealthy.set({ upstream: e.upstream, target: e.target }, e.event === 'healthy' || e.event === 'returned' ? 1 : 0);
      log.warn(e, `upstream target ${e.event}`);
    },
  };
}

/** The parts a running sidecar is built from. */
export interface Parts {
  config: ProxyConfig;
  log: Logger;
  destination: DestinationStream;
  metrics: ProxyMetrics;
  holder: BundleHolder;
  synced: SyncedSource | undefined;
  limits: LimitStore;
  responseCache: ResponseCache;
  events: SidecarEvents;
  /** request tracing, when `--otlp-endpoint` is set */
  tracer?: RequestTracer | undefined;
}

/** The request path and the servers around it (not listening yet). */
export function assemble(p: Parts) {
  const { config, log, metrics, holder, synced } = p;
  const counters = synced?.counters;
  const inFlight = new InFlight();
  const state = { draining: false };
  const accessLog = new AccessLogBatcher(p.destination as unknown as AccessLogSink);
  const record = createRecorder({
    accessLog,
    metrics,
    onFinish: (ctx, status) => {
      if (counters) {
        counters.requests++;
        if (ctx.decision === 'deny') counters.denied++;
      }
      synced?.record(ctx, status);
      inFlight.finished();
    },
  });
  const accept = { trustedHops: config.trustedHops, tls: config.tlsCert !== undefined, maxUrlLength: config.maxUrlLength };
  const stages = requestStages({ accept, limits: p.limits.store, cache: p.responseCache, events: p.events });
  const pipeline = createPipeline({ runtime: () => holder.current, stages, log, record, tracer: p.tracer });
  const upgrades = createUpgradeHandler(pipeline, { runtime: () => holder.current, log, maxConnectionsTotal: config.wsMaxConnections });
  holder.onApplied(() => upgrades.recheck()); // an open WebSocket must not outlive what admitted it
  // Every request and upgrade is counted in here and out in `record` (an upgrade when its connection ends).
  const handlers: TrafficHandlers = {
    onRequest: (req, res) => {
      inFlight.started();
      pipeline.onRequest(req, res);
    },
    onUpgrade: (req, socket, head) => {
      inFlight.started();
      upgrades.onUpgrade(req, socket, head);
    },
  };
  const server = createTrafficServer(config, handlers, log, metrics);
  const bundleInfo = (): Record<string, unknown> => {
    const c = holder.current;
    const [mode, connected] = synced ? ['synced', synced.connected] : ['standalone', null];
    const base = { service: c.bundle.service, revision: c.bundle.revision, hash: c.bundle.hash ?? null, routes: c.routes.length };
    return { ...base, loaded_at: new Date(c.loadedAt).toISOString(), source: holder.source, mode, upstreams: c.upstreamSnapshots(), control_plane_connected: connected, last_rejection: holder.lastRejection ?? null, draining: state.draining };
  };
  const adminServer = createAdminServer({ ready: () => !state.draining, bundleInfo }, metrics.registry, adminPublishHandler(p.events, () => holder.current));
  return { server, adminServer, upgrades, inFlight, accessLog, state, bundleInfo };
}
