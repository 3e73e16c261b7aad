/**
 * Starts a sidecar — wiring only: the bundle lifecycle (`bundle/`), the request path (`pipeline/stages.ts`), the
 * traffic and admin servers (`server/`), and draining on close. Each part is built and tested in its own folder.
 */
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { PolicyBundle } from '@agentcore/policies';
import { pino, type DestinationStream, type Logger } from 'pino';
import { BundleHolder, type ReloadResult } from './bundle/bundle-holder.js';
import { FileSource } from './bundle/file-source.js';
import type { PolicyRuntime } from './bundle/policy-runtime.js';
import { SyncedSource } from './bundle/synced-source.js';
import { SidecarEvents } from './events/sidecar-events.js';
import { assemble, runtimeOptions } from './server/sidecar-parts.js';
import { ResponseCache } from './cache/response-cache.js';
import type { ProxyConfig } from './config.js';
import { openLimitStore } from './rate-limit/limit-store.js';
import { ProxyMetrics } from './record/metrics.js';
import { listenOn, urlOf } from './server/listen.js';
import { UpstreamPools } from './upstream/upstream-pools.js';
import { shutdown } from './server/shutdown.js';
import { reloadTls } from './server/tls-reload.js';
import { watchExitFile } from './server/exit-on-file.js';
import { tracerFromConfig } from './tracing/tracer-from-config.js';

export type { ReloadResult } from './bundle/bundle-holder.js';

/** A running sidecar. */
export interface ProxyHandle {
  /** what /bundle shows (the cluster primary collects it from each worker) */
  bundleInfo(): Record<string, unknown>;
  /** traffic URL, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly adminUrl: string;
  readonly metrics: ProxyMetrics;
  runtime(): PolicyRuntime;
  /** re-reads the bundle file; an invalid one is rejected and the old one keeps serving */
  reload(): Promise<ReloadResult>;
  /** applies a bundle object (synced mode and tests) */
  apply(bundle: PolicyBundle, source: string): Promise<ReloadResult>;
  /** drains: stop accepting, let in-flight requests finish (bounded by drainTimeoutMs), close */
  close(): Promise<void>;
}

/** How the process embeds the sidecar. */
export interface StartOptions {
  /** where log lines go (default stdout) */
  logDestination?: DestinationStream;
  env?: Record<string, string | undefined>;
  /** install SIGHUP/SIGTERM/SIGINT handlers (the CLI does; tests don't) */
  handleSignals?: boolean;
  /** collect Node default metrics (off in tests that start many proxies) */
  defaultMetrics?: boolean;
  /** serve the admin port (a cluster worker does not: the primary serves it for all) */
  adminServer?: boolean;
  /** worker processes that each keep local rate-limit counters (limits are divided between them) */
  limitShare?: number;
}

/** How often buffered log lines are pushed to stdout (issue #9: at most a second, whatever the destination). */
const LOG_FLUSH_MS = 250;

/** Starts the sidecar: the first bundle is in force before any port listens. */
export async function startProxy(config: ProxyConfig, options: StartOptions = {}): Promise<ProxyHandle> {
  // Batched writes: one write per ~32 KiB of log lines (flushed every 250 ms and at exit).
  const destination = options.logDestination ?? pino.destination({ dest: 1, sync: false, minLength: 32 * 1024, maxWrite: 256 * 1024 });
  const log: Logger = pino({ level: config.logLevel, base: { svc: 'agentcore-proxy' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const tls = config.tlsCert !== undefined;
  const metrics = new ProxyMetrics(options.defaultMetrics ?? true);
  const pools = new UpstreamPools({ connectTimeoutMs: 2000, connections: config.upstreamConnections, keepAliveTimeoutMs: 4000 });
  const responseCache = new ResponseCache({ maxBytes: config.cacheMaxBytes });
  const events = new SidecarEvents({ redisUrl: config.eventsRedis ?? config.redis, registry: metrics.registry, log });
  const holder = new BundleHolder({ runtimeOptions: runtimeOptions(config, options, pools, metrics, log), metrics, log, responseCache, source: config.bundle ?? config.controlPlane! });
  holder.onApplied((next) => void events.sync(next)); // event routes started/stopped, subscriptions re-authorised
  const file = config.bundle !== undefined ? new FileSource(config.bundle, holder, log) : undefined;
  const instanceId = config.instanceId ?? `${hostname()}-${process.pid}`;
  const synced = file ? undefined : new SyncedSource(config, holder, { instanceId, log });
  await (file ?? synced!).start();
  const limits = await openLimitStore(config, holder.current.bundle.service, log, metrics);
  await events.sync(holder.current); // the event routes' buses are ready before any port listens

  const tracer = await tracerFromConfig(config, instanceId, log);
  const { server, adminServer, upgrades, inFlight, accessLog, state, bundleInfo } = assemble({ config, log, destination, metrics, holder, synced, limits, responseCache, events, tracer });

  const trafficAddr = await listenOn(server, config.listen.host, config.listen.port);
  let adminAddr: AddressInfo | undefined;
  if (options.adminServer !== false) {
    try {
      adminAddr = await listenOn(adminServer, config.adminListen.host, config.adminListen.port);
    } catch (e) {
      server.close();
      throw e;
    }
  }
  const certs = reloadTls(server, config, log);
  if (config.watch) file?.watch();
  synced?.startReporting();
  const url = urlOf(tls ? 'https' : 'http', trafficAddr);
  const adminUrl = adminAddr ? urlOf('http', adminAddr) : '';
  log.info({ url, admin: adminUrl, upstream: config.upstream, tls, tracing: config.otlpEndpoint ?? false }, 'agentcore-proxy listening');
  log.flush();
  // Log lines are written in 32 KiB batches for throughput; at low traffic this bounds their delay to ~300 ms
  // (access lines: 50 ms in the batcher + this), whatever stdout is (a pipe under container runtimes).
  const flusher = setInterval(() => log.flush(), LOG_FLUSH_MS);
  flusher.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    state.draining = true;
    // Spans of the drained requests are flushed to the collector once they have all ended.
    closing ??= shutdown({ config, log, holder, file, synced, server, upgrades, inFlight, adminServer: adminAddr ? adminServer : undefined, limits, pools, flusher, accessLog, events }).finally(() => {
      certs?.stop();
      return tracer?.shutdown();
    });
    return closing;
  };
  const reload = (): Promise<ReloadResult> => file?.reload() ?? Promise.resolve({ applied: false, reason: 'synced mode: bundles come from the control plane' });
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  if (config.exitOnFile !== undefined) {
    const file = config.exitOnFile;
    watchExitFile(file, () => {
      log.info({ file }, 'exit file present: draining');
      if (options.handleSignals) stop();
      else void close();
    });
  }
  if (options.handleSignals) {
    process.on('SIGHUP', () => void reload());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
  return { url, adminUrl, metrics, bundleInfo, runtime: () => holder.current, reload, apply: (b, from) => holder.apply(b, from), close };
}
