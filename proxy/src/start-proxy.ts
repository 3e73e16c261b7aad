/**
 * Assembles a sidecar: traffic server (HTTP or HTTPS), admin server, bundle loading and reloading
 * (SIGHUP, file changes), and draining on close.
 */
import { mkdirSync, readFileSync, renameSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { PolicyBundle } from '@agentcore/policies';
import { pino, type DestinationStream, type Logger } from 'pino';
import { createAdminServer } from './server/admin-server.js';
import { AccessLogBatcher, type AccessLogSink } from './record/access-log.js';
import { describeIssues, loadBundleFile } from './bundle/bundle-file.js';
import type { ProxyConfig } from './config.js';
import { errorBody } from '@agentcore/policies';
import { ProxyError } from './errors.js';
import { ProxyMetrics } from './record/metrics.js';
import { acceptStage } from './accept/accept-stage.js';
import { authenticateStage } from './authenticate/authenticate-stage.js';
import { authorizeStage } from './authorize/authorize-stage.js';
import { corsStage } from './cors/cors-stage.js';
import { rateLimitStage } from './rate-limit/rate-limit-stage.js';
import { routeStage } from './route/route-stage.js';
import { validateRequestStage } from './validate/validate-stage.js';
import { cacheStage } from './cache/cache-stage.js';
import { ResponseCache } from './cache/response-cache.js';
import { compileRuntime, type PolicyRuntime } from './bundle/policy-runtime.js';
import { createPipeline } from './pipeline/pipeline.js';
import { createUpgradeHandler } from './websocket/upgrade-handler.js';
import { MemoryRateLimitStore, type RateLimitStore } from './rate-limit/rate-limiter.js';
import { RedisRateLimitStore } from './rate-limit/rate-limit-store-redis.js';
import { UpstreamPools } from './upstream/upstream-pools.js';
import { createBundleSync, type BundleSync } from './sync/bundle-sync.js';
import { createStatusReporter } from './sync/status-reporter.js';
import { createAccessLogShipper } from './sync/access-log-shipper.js';

export type ReloadResult = { applied: true; revision: number } | { applied: false; reason: string };

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

const listenOn = (server: Server, host: string, port: number): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });

const urlOf = (proto: string, a: AddressInfo): string => `${proto}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;

/** The raw HTTP error response for requests Node's parser refused (no request object exists). */
function clientErrorResponse(status: number, code: 'INVALID_REQUEST' | 'HEADERS_TOO_LARGE' | 'REQUEST_TIMEOUT', message: string): string {
  const body = errorBody(code, message, '-', {}, Date.now());
  const text = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  return `HTTP/1.1 ${status} ${text}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`;
}

/**
 * The keys that verify bundle signatures in synced mode: a pinned JWK/JWKS file, or a JWKS URL. With
 * a URL, the fetched key set is kept in the cache dir beside the bundle (`persist`) and used when the
 * URL cannot be reached — so a sidecar restarting while the control plane is down can still verify
 * its cached bundle.
 */
function bundleKeys(config: ProxyConfig): { keys: JWTVerifyGetKey; persist(): void } {
  if (config.trustJwksUrl) {
    const remote = createRemoteJWKSet(new URL(config.trustJwksUrl), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
    const file = join(config.cacheDir!, `${config.service}.signing-keys.json`);
    let fallback: JWTVerifyGetKey | undefined;
    try {
      fallback = createLocalJWKSet(JSON.parse(readFileSync(file, 'utf8')) as JSONWebKeySet);
    } catch {
      fallback = undefined;
    }
    const keys: JWTVerifyGetKey = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // Only when the URL is unreachable; an unknown key stays an unknown key.
        if (!fallback || code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw e;
        return fallback(header, token);
      }
    };
    const persist = (): void => {
      const jwks = remote.jwks();
      if (!jwks) return;
      try {
        mkdirSync(config.cacheDir!, { recursive: true });
        writeFileSync(`${file}.tmp`, JSON.stringify(jwks), { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
        fallback = createLocalJWKSet(jwks);
      } catch {
        /* the cache is a convenience; the bundle cache write reports real disk problems */
      }
    };
    return { keys, persist };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(config.bundlePublicKey!, 'utf8'));
  } catch (e) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--bundle-public-key ${config.bundlePublicKey}: cannot read a JSON key: ${(e as Error).message}`);
  }
  const jwks = (parsed as { keys?: unknown }).keys ? (parsed as JSONWebKeySet) : ({ keys: [parsed] } as JSONWebKeySet);
  try {
    return { keys: createLocalJWKSet(jwks), persist: () => undefined };
  } catch (e) {
    throw new ProxyError('PROXY_CONFIG_INVALID', `--bundle-public-key ${config.bundlePublicKey}: not a JWK or JWKS: ${(e as Error).message}`);
  }
}

export async function startProxy(config: ProxyConfig, options: StartOptions = {}): Promise<ProxyHandle> {
  // Batched writes: one write per ~32 KiB of log lines (flushed every second and at exit).
  const destination = options.logDestination ?? pino.destination({ dest: 1, sync: false, minLength: 32 * 1024, maxWrite: 256 * 1024 });
  const log: Logger = pino({ level: config.logLevel, base: { svc: 'agentcore-proxy' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const tls = config.tlsCert !== undefined;
  const metrics = new ProxyMetrics(options.defaultMetrics ?? true);
  const pools = new UpstreamPools({ connectTimeoutMs: 2000, connections: config.upstreamConnections, keepAliveTimeoutMs: 4000 });
  const store = new MemoryRateLimitStore(config.rateLimitMaxKeys);
  const responseCache = new ResponseCache({ maxBytes: config.cacheMaxBytes });
  const runtimeOptions = {
    localUpstream: config.upstream,
    pools,
    tls,
    env: options.env ?? process.env,
    limitShare: config.redis ? 1 : (options.limitShare ?? 1),
    onUpstreamEvent: (e: { upstream: string; target: string; event: string }) => {
      metrics.upstreamTargetHealthy.set({ upstream: e.upstream, target: e.target }, e.event === 'healthy' || e.event === 'returned' ? 1 : 0);
      log.warn(e, `upstream target ${e.event}`);
    },
  };
  const instanceId = config.instanceId ?? `${hostname()}-${process.pid}`;

  let current: PolicyRuntime | undefined;
  let source = config.bundle ?? config.controlPlane!;
  let lastRejection: { at: string; reason: string; revision?: number } | undefined;
  let draining = false;

  const apply = async (bundle: PolicyBundle, from: string): Promise<ReloadResult> => {
    let next: PolicyRuntime;
    try {
      next = await compileRuntime(bundle, runtimeOptions);
    } catch (e) {
      return reject(`cannot compile bundle: ${(e as Error).message}`, bundle.revision);
    }
    const old = current;
    current = next;
    current.closing = draining;
    source = from;
    old?.close();
    metrics.upstreamTargetHealthy.reset();
    for (const u of next.upstreamSnapshots()) for (const t of u.targets) metrics.upstreamTargetHealthy.set({ upstream: u.name, target: t.name }, t.healthy && !t.ejected ? 1 : 0);
    // Cached responses were produced under the old policy (routes, transforms, vary rules): drop them.
    if (old) responseCache.purge();
    metrics.bundleRevision.reset();
    metrics.bundleRevision.set({ service: bundle.service }, bundle.revision);
    metrics.bundleReloads.inc({ result: 'applied' });
    log.info({ service: bundle.service, revision: bundle.revision, previous: old?.bundle.revision ?? null, source: from }, 'bundle applied');
    return { applied: true, revision: bundle.revision };
  };
  const reject = (reason: string, revision?: number): ReloadResult => {
    lastRejection = { at: new Date().toISOString(), reason, ...(revision !== undefined ? { revision } : {}) };
    metrics.bundleReloads.inc({ result: 'rejected' });
    log.warn({ reason, rejected_revision: revision ?? null, keeping_revision: current?.bundle.revision ?? null }, 'bundle rejected; the previous bundle keeps serving');
    log.flush();
    return { applied: false, reason };
  };
  let reloading: Promise<ReloadResult> | undefined;
  const reload = (): Promise<ReloadResult> => {
    if (config.bundle === undefined) return Promise.resolve({ applied: false, reason: 'synced mode: bundles come from the control plane' });
    const file = config.bundle;
    // Coalesce: a reload requested while one runs waits for it and then runs once more.
    const run = async (): Promise<ReloadResult> => {
      const r = await loadBundleFile(file);
      return r.ok ? apply(r.bundle, file) : reject(describeIssues(r.issues));
    };
    const p = (reloading ?? Promise.resolve()).then(run, run);
    reloading = p;
    return p;
  };

  let sync: BundleSync | undefined;
  if (config.bundle !== undefined) {
    const first = await loadBundleFile(config.bundle);
    if (!first.ok) throw new ProxyError('PROXY_BUNDLE_INVALID', `bundle ${config.bundle} is invalid: ${describeIssues(first.issues)}`);
    const r = await apply(first.bundle, config.bundle);
    if (!r.applied) throw new ProxyError('PROXY_BUNDLE_INVALID', `bundle ${config.bundle} cannot be enforced: ${r.reason}`);
  } else {
    const signing = bundleKeys(config);
    sync = createBundleSync({
      controlPlane: config.controlPlane!,
      service: config.service!,
      token: config.token!,
      keys: signing.keys,
      cacheDir: config.cacheDir!,
      instanceId,
      log,
      onBundle: async (bundle, from) => {
        const r = await apply(bundle, from === 'cache' ? `cache:${config.cacheDir}` : config.controlPlane!);
        if (r.applied && from === 'control-plane') signing.persist();
        return r.applied ? { applied: true } : { applied: false, reason: r.reason };
      },
      onRejected: (revision, reason) => void reject(reason, revision),
    });
    await sync.start();
  }

  let limits: RateLimitStore = store;
  let redisStore: RedisRateLimitStore | undefined;
  if (config.redis) {
    redisStore = new RedisRateLimitStore({
      url: config.redis,
      keyPrefix: `agentcore:rl:${current!.bundle.service}:`,
      commandTimeoutMs: config.redisTimeoutMs,
      fallback: config.redisFallback,
      local: store,
      log,
      onModeChange: (mode, reason) => {
        metrics.rateLimitStoreUp.set(mode === 'redis' ? 1 : 0);
        if (mode === 'fallback') metrics.rateLimitFallbacks.inc();
        log.warn({ mode, reason, fallback: config.redisFallback }, mode === 'redis' ? 'rate limits back on Redis' : 'Redis unavailable: rate-limit fallback applies');
      },
    });
    limits = redisStore;
    // Wait a little at start so the first requests use Redis; never long: the fallback covers an outage.
    await redisStore.ready(1000).then(
      () => metrics.rateLimitStoreUp.set(1),
      (e: Error) => {
        metrics.rateLimitStoreUp.set(0);
        log.warn({ err: e.message, fallback: config.redisFallback }, 'Redis not reachable at start; the fallback applies until it is');
      },
    );
  }
  const accessLog = new AccessLogBatcher(destination as unknown as AccessLogSink);
  const counters = { requests: 0, denied: 0 };
  const shipper = sync ? createAccessLogShipper({ controlPlane: config.controlPlane!, token: config.token!, instanceId, log }) : undefined;
  let inflight = 0;
  let drained: (() => void) | undefined;
  const pipeline = createPipeline({
    runtime: () => current!,
    stages: [
      acceptStage({ trustedHops: config.trustedHops, tls, maxUrlLength: config.maxUrlLength }),
      routeStage(),
      corsStage(),
      authenticateStage(),
      authorizeStage(),
      rateLimitStage(limits),
      validateRequestStage(),
      cacheStage(responseCache),
    ],
    log,
    accessLog,
    metrics,
    onFinish: (ctx, status) => {
      inflight--;
      counters.requests++;
      if (ctx.decision === 'deny') counters.denied++;
      shipper?.record(ctx, status);
      if (inflight === 0) drained?.();
    },
  });
  const upgrades = createUpgradeHandler(pipeline, { runtime: () => current!, log, maxConnectionsTotal: config.wsMaxConnections });
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    inflight++;
    pipeline.onRequest(req, res);
  };

  const serverOptions = {
    maxHeaderSize: config.maxHeaderBytes,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  };
  const server: Server = tls
    ? (createHttpsServer({ ...serverOptions, cert: readFileSync(config.tlsCert!), key: readFileSync(config.tlsKey!), minVersion: config.tlsMinVersion }, onRequest) as unknown as Server)
    : createHttpServer(serverOptions, onRequest);

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // record() → onFinish → inflight-- runs exactly once per upgrade, when the connection ends.
    inflight++;
    upgrades.onUpgrade(req, socket, head);
  });

  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const code = err.code ?? '';
    if (code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    let response: string;
    let status: number;
    if (code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      response = clientErrorResponse(431, 'HEADERS_TOO_LARGE', `request headers exceed ${config.maxHeaderBytes} bytes; send fewer or smaller headers`);
    } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      response = clientErrorResponse(408, 'REQUEST_TIMEOUT', 'the request was not received in time');
    } else {
      status = 400;
      response = clientErrorResponse(400, 'INVALID_REQUEST', 'malformed HTTP request; check the request line, headers and framing');
    }
    log.info({ status, reason: code || 'CLIENT_ERROR', decision: 'deny', client: socket.remoteAddress }, 'access');
    metrics.requests.inc({ route: '(none)', method: 'OTHER', status_class: '4xx', decision: 'deny' });
    socket.end(response);
    socket.destroySoon?.();
  });

  const adminState = {
      ready: () => !draining,
      bundleInfo: () => ({
        service: current!.bundle.service,
        revision: current!.bundle.revision,
        hash: current!.bundle.hash ?? null,
        routes: current!.routes.length,
        loaded_at: new Date(current!.loadedAt).toISOString(),
        source,
        mode: sync ? 'synced' : 'standalone',
        upstreams: current!.upstreamSnapshots(),
        control_plane_connected: sync ? sync.connected : null,
        last_rejection: lastRejection ?? null,
        draining,
      }),
    };
  const adminServer = createAdminServer(adminState, metrics.registry);

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

  let watcher: FSWatcher | undefined;
  if (config.watch && config.bundle !== undefined) {
    const bundleFile = config.bundle;
    let timer: NodeJS.Timeout | undefined;
    const name = basename(bundleFile);
    // Watch the directory: editors and `mv` replace the file, which a file watch would lose.
    watcher = watch(dirname(bundleFile), (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 150);
    });
    watcher.on('error', (e) => log.warn({ err: e }, 'bundle watch failed; SIGHUP still reloads'));
  }

  const reporter = sync
    ? createStatusReporter({
        controlPlane: config.controlPlane!,
        service: config.service!,
        token: config.token!,
        instanceId,
        intervalMs: config.statusIntervalMs,
        log,
        getStatus: () => ({
          applied_revision: current?.bundle.revision ?? null,
          applied_hash: current?.bundle.hash ?? null,
          rejected_revision: lastRejection?.revision ?? null,
          rejection_reason: lastRejection?.reason ?? null,
          connected: sync!.connected,
          counters: { ...counters, access_logs_buffered: shipper?.buffered ?? 0, access_logs_dropped: shipper?.dropped ?? 0 },
        }),
      })
    : undefined;
  reporter?.start();

  const url = urlOf(tls ? 'https' : 'http', trafficAddr);
  const adminUrl = adminAddr ? urlOf('http', adminAddr) : '';
  log.info({ url, admin: adminUrl, upstream: config.upstream, tls }, 'agentcore-proxy listening');
  log.flush();
  // Log lines are written in 4 KiB batches for throughput; at low traffic this bounds their delay.
  const flusher = setInterval(() => log.flush(), 1000);
  flusher.unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      draining = true;
      current!.closing = true;
      watcher?.close();
      await sync?.stop();
      await reporter?.stop();
      const stopped = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // Upgraded sockets no longer belong to the server: close them (1001) ourselves.
      await upgrades.close();
      if (inflight > 0) {
        log.info({ inflight, timeout_ms: config.drainTimeoutMs }, 'draining');
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise<void>((r) => setTimeout(r, config.drainTimeoutMs).unref())]);
      }
      server.closeAllConnections();
      await stopped;
      if (adminAddr) {
        await new Promise<void>((r) => adminServer.close(() => r()));
        adminServer.closeAllConnections();
      }
      current!.close();
      await shipper?.stop();
      await redisStore?.close();
      await pools.close();
      clearInterval(flusher);
      accessLog.flush();
      log.info({ unfinished: inflight }, 'agentcore-proxy stopped');
      log.flush();
    })());

  if (options.handleSignals) {
    process.on('SIGHUP', () => void reload());
    const stop = (): void => {
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }

  return { url, adminUrl, metrics, bundleInfo: adminState.bundleInfo, runtime: () => current!, reload, apply, close };
}
