/**
 * Synced mode: bundles come from the control plane (signed, verified, cached on disk — `sync/bundle-sync.ts`), the
 * sidecar reports its status there (`sync/status-reporter.ts`) and ships its access-log records
 * (`sync/access-log-shipper.ts`). This file wires the three to the bundle holder.
 */
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { createAccessLogShipper, type AccessLogShipper } from '../sync/access-log-shipper.js';
import { createBundleSync, type BundleSync } from '../sync/bundle-sync.js';
import { createStatusReporter, type StatusReporter } from '../sync/status-reporter.js';
import type { BundleHolder } from './bundle-holder.js';
import { bundleSigningKeys } from './signing-keys.js';

/** Requests seen, for the status report. */
export interface RequestCounters {
  requests: number;
  denied: number;
}

/** The control plane as the source of bundles, and where status and access logs go. */
export class SyncedSource {
  private readonly sync: BundleSync;
  private readonly shipper: AccessLogShipper;
  private readonly reporter: StatusReporter;
  /** requests seen (counted by the recorder), reported to the control plane */
  readonly counters: RequestCounters = { requests: 0, denied: 0 };

  constructor(config: ProxyConfig, holder: BundleHolder, o: { instanceId: string; log: Logger }) {
    const controlPlane = config.controlPlane!;
    const signing = bundleSigningKeys(config);
    const common = { controlPlane, token: config.token!, instanceId: o.instanceId, log: o.log };
    this.sync = createBundleSync({
      ...common,
      service: config.service!,
      keys: signing.keys,
      cacheDir: config.cacheDir!,
      onBundle: async (bundle, from) => {
        const r = await holder.apply(bundle, from === 'cache' ? `cache:${config.cacheDir}` : controlPlane);
        if (r.applied && from === 'control-plane') signing.persist();
        return r.applied ? { applied: true } : { applied: false, reason: r.reason };
      },
      onRejected: (revision, reason) => void holder.reject(reason, revision),
    });
    this.shipper = createAccessLogShipper(common);
    this.reporter = createStatusReporter({
      ...common,
      service: config.service!,
      intervalMs: config.statusIntervalMs,
      getStatus: () => ({
        applied_revision: holder.loaded ? holder.current.bundle.revision : null,
        applied_hash: holder.loaded ? (holder.current.bundle.hash ?? null) : null,
        rejected_revision: holder.lastRejection?.revision ?? null,
        rejection_reason: holder.lastRejection?.reason ?? null,
        connected: this.sync.connected,
        counters: { ...this.counters, access_logs_buffered: this.shipper.buffered, access_logs_dropped: this.shipper.dropped },
      }),
    });
  }

  /** Whether the last exchange with the control plane succeeded. */
  get connected(): boolean {
    return this.sync.connected;
  }

  /** Fetches (or loads from the cache) the first bundle and keeps syncing; throws when there is none. */
  async start(): Promise<void> {
    await this.sync.start();
  }

  /** Starts the periodic status report (once the servers listen). */
  startReporting(): void {
    this.reporter.start();
  }

  /** Queues a finished request's record for the control plane. */
  record(ctx: RequestContext, status: number): void {
    this.shipper.record(ctx, status);
  }

  /** Stops syncing and reporting. */
  async stop(): Promise<void> {
    await this.sync.stop();
    await this.reporter.stop();
  }

  /** Sends what is buffered and stops shipping. */
  async stopShipping(): Promise<void> {
    await this.shipper.stop();
  }
}
