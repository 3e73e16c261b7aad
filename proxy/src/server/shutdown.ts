/**
 * Draining on close: stop taking bundles and connections, close WebSocket relays (1001), let requests in flight
 * finish within --drain-timeout-ms, then close everything the sidecar opened, in dependency order.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { BundleHolder } from '../bundle/bundle-holder.js';
import type { FileSource } from '../bundle/file-source.js';
import type { SyncedSource } from '../bundle/synced-source.js';
import type { ProxyConfig } from '../config.js';
import type { LimitStore } from '../rate-limit/limit-store.js';
import type { AccessLogBatcher } from '../record/access-log.js';
import type { UpstreamPools } from '../upstream/upstream-pools.js';
import type { UpgradeHandler } from '../websocket/upgrade-handler.js';
import type { SidecarEvents } from '../events/sidecar-events.js';
import type { InFlight } from './in-flight.js';

/** Everything a running sidecar holds open. */
export interface Running {
  config: ProxyConfig;
  log: Logger;
  holder: BundleHolder;
  file: FileSource | undefined;
  synced: SyncedSource | undefined;
  server: Server;
  upgrades: UpgradeHandler;
  inFlight: InFlight;
  /** undefined when this process serves no admin port */
  adminServer: Server | undefined;
  limits: LimitStore;
  pools: UpstreamPools;
  flusher: NodeJS.Timeout;
  accessLog: AccessLogBatcher;
  /** event routes: their streams end, hubs and buses close */
  events: SidecarEvents;
}

/** Drains and closes; resolves when everything is closed. */
export async function shutdown(r: Running): Promise<void> {
  r.holder.drain();
  r.file?.close();
  await r.synced?.stop();
  const stopped = new Promise<void>((done) => r.server.close(() => done()));
  r.server.closeIdleConnections();
  // Upgraded sockets no longer belong to the server: close them (1001) ourselves.
  await r.upgrades.close();
  await r.events.close(); // SSE streams end and event WebSockets close (1001) before the in-flight wait
  if (r.inFlight.count > 0) {
    r.log.info({ inflight: r.inFlight.count, timeout_ms: r.config.drainTimeoutMs }, 'draining');
    await r.inFlight.settled(r.config.drainTimeoutMs);
  }
  r.server.closeAllConnections();
  await stopped;
  const admin = r.adminServer;
  if (admin) {
    await new Promise<void>((done) => admin.close(() => done()));
    admin.closeAllConnections();
  }
  r.holder.close();
  await r.synced?.stopShipping();
  await r.limits.close();
  await r.pools.close();
  clearInterval(r.flusher);
  r.accessLog.flush();
  r.log.info({ unfinished: r.inFlight.count }, 'agentcore-proxy stopped');
  r.log.flush();
}
