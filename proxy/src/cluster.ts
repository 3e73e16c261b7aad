/**
 * `--workers N`: N worker processes share the traffic port (node:cluster; the primary hands out
 * connections). The primary serves the admin port for all of them: /metrics aggregates the workers'
 * registries (counters summed, the bundle revision as the lowest), /readyz is ready when every worker
 * is, /bundle lists each worker's bundle. SIGHUP is forwarded; SIGTERM drains every worker, then exits 0.
 * A worker that dies is replaced. Without Redis each worker keeps its own rate-limit counters, so each
 * enforces 1/N of every limit (rounded up) — see docs/rate-limiting.md.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { pino } from 'pino';
import { createAdminServer } from './server/admin-server.js';
import { listenOn } from './server/listen.js';
import type { ProxyConfig } from './config.js';

type ToWorker = { type: 'bundle-info'; id: number };
type FromWorker = { type: 'ready' } | { type: 'bundle-info'; id: number; info: Record<string, unknown> };

/** In a worker: start the sidecar without its own admin port and answer the primary. */
export async function runWorker(config: ProxyConfig): Promise<void> {
  // loaded here, not at the top: the primary never runs the request path (issue #16: its idle RSS)
  const { startProxy } = await import('./start-proxy.js');
  const handle = await startProxy(config, { handleSignals: true, adminServer: false, limitShare: config.workers });
  // Constructing one installs prom-client's worker-side listener for the primary's metric requests.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([handle.metrics.registry]);
  process.on('message', (m: ToWorker) => {
    if (m?.type === 'bundle-info') process.send?.({ type: 'bundle-info', id: m.id, info: { worker: cluster.worker?.id, pid: process.pid, ...handle.bundleInfo() } } satisfies FromWorker);
  });
  // The primary is gone (killed, crashed): nothing hands us connections any more, so drain and leave.
  process.once('disconnect', () => {
    void handle.close().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready' } satisfies FromWorker);
}

/** In the primary: fork, supervise, serve the admin port. */
export async function runPrimary(config: ProxyConfig): Promise<void> {
  const log = pino({ level: config.logLevel, base: { svc: 'agentcore-proxy', role: 'primary' }, timestamp: pino.stdTimeFunctions.isoTime });
  const aggregator = new AggregatorRegistry();
  const ready = new Set<number>();
  let stopping = false;
  let nextQuery = 0;
  const pending = new Map<number, { infos: Record<string, unknown>[]; expected: number; done: () => void }>();

  const fork = (): Worker => {
    const w = cluster.fork();
    w.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        ready.add(w.id);
        log.info({ worker: w.id, pid: w.process.pid, ready: ready.size, of: config.workers }, 'worker ready');
        if (ready.size === config.workers) log.flush();
      } else if (m.type === 'bundle-info') {
        const p = pending.get(m.id);
        if (p) {
          p.infos.push(m.info);
          if (p.infos.length === p.expected) p.done();
        }
      }
    });
    return w;
  };
  cluster.on('exit', (w, code, signal) => {
    ready.delete(w.id);
    if (stopping) return;
    log.error({ worker: w.id, code, signal }, 'worker died; starting a new one');
    setTimeout(() => {
      if (!stopping) fork();
    }, 500).unref();
  });
  for (let i = 0; i < config.workers; i++) fork();

  const bundleInfo = async (): Promise<Record<string, unknown>> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && ready.has(w.id));
    const id = ++nextQuery;
    const infos: Record<string, unknown>[] = [];
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      pending.set(id, { infos, expected: workers.length, done: () => (clearTimeout(t), resolve()) });
      for (const w of workers) w.send({ type: 'bundle-info', id } satisfies ToWorker);
      if (workers.length === 0) resolve();
    });
    pending.delete(id);
    return { workers: infos, revisions: [...new Set(infos.map((i) => i.revision))] };
  };
  const admin = createAdminServer(
    { ready: () => !stopping && ready.size === config.workers, bundleInfo },
    { metrics: () => aggregator.clusterMetrics(), contentType: aggregator.contentType },
  );
  const a = await listenOn(admin, config.adminListen.host, config.adminListen.port);
  log.info({ admin: `http://${a.address}:${a.port}`, workers: config.workers }, 'agentcore-proxy primary: admin port up, workers starting');

  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    log.info({ workers: workers.length }, 'draining workers');
    const exits = workers.map((w) => new Promise<void>((r) => (w.isDead() ? r() : w.once('exit', () => r()))));
    for (const w of workers) w.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
    }, config.drainTimeoutMs + 5000);
    force.unref();
    void Promise.all(exits).then(() => {
      admin.close();
      admin.closeAllConnections();
      log.info('agentcore-proxy stopped');
      log.flush();
      process.exit(0);
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
