/**
 * The bundle in force: compiles each new bundle beside the old one and swaps them atomically (`apply`), or keeps
 * the old one and remembers why (`reject`). Whoever brings bundles — the file source or the synced source — goes
 * through here; the pipeline reads `current` once per request.
 */
import type { PolicyBundle } from '@agentcore/policies';
import type { Logger } from 'pino';
import type { ResponseCache } from '../cache/response-cache.js';
import type { ProxyMetrics } from '../record/metrics.js';
import { compileRuntime, type PolicyRuntime, type RuntimeOptions } from './policy-runtime.js';

/** What applying or reloading a bundle did. */
export type ReloadResult = { applied: true; revision: number } | { applied: false; reason: string };

/** The last refused bundle, for /bundle and the status report. */
export interface Rejection {
  at: string;
  reason: string;
  revision?: number;
}

/** Holds the runtime in force and swaps it. */
export class BundleHolder {
  private runtime: PolicyRuntime | undefined;
  /** where the bundle in force came from (file path, control-plane URL, `cache:<dir>`) */
  source: string;
  lastRejection: Rejection | undefined;
  private draining = false;
  private readonly appliedListeners: ((next: PolicyRuntime) => void)[] = [];

  constructor(
    private readonly o: { runtimeOptions: RuntimeOptions; metrics: ProxyMetrics; log: Logger; responseCache: ResponseCache; source: string },
  ) {
    this.source = o.source;
  }

  /** The runtime in force (a bundle is applied before any server listens). */
  get current(): PolicyRuntime {
    return this.runtime!;
  }

  /** Whether a bundle was applied yet. */
  get loaded(): boolean {
    return this.runtime !== undefined;
  }

  /** Calls `fn` after every bundle swapped in (event subscriptions and open WebSocket connections are re-checked). */
  onApplied(fn: (next: PolicyRuntime) => void): void {
    this.appliedListeners.push(fn);
  }

  /** Compiles and swaps in a bundle; on failure the old one keeps serving. */
  async apply(bundle: PolicyBundle, from: string): Promise<ReloadResult> {
    let next: PolicyRuntime;
    try {
      next = await compileRuntime(bundle, this.o.runtimeOptions);
    } catch (e) {
      return this.reject(`cannot compile bundle: ${(e as Error).message}`, bundle.revision);
    }
    const { metrics, log } = this.o;
    const old = this.runtime;
    this.runtime = next;
    next.closing = this.draining;
    this.source = from;
    old?.close();
    metrics.upstreamTargetHealthy.reset();
    for (const u of next.upstreamSnapshots()) for (const t of u.targets) metrics.upstreamTargetHealthy.set({ upstream: u.name, target: t.name }, t.healthy && !t.ejected ? 1 : 0);
    // Cached responses were produced under the old policy (routes, transforms, vary rules): drop them.
    if (old) this.o.responseCache.purge();
    metrics.bundleRevision.reset();
    metrics.bundleRevision.set({ service: bundle.service }, bundle.revision);
    metrics.bundleReloads.inc({ result: 'applied' });
    log.info({ service: bundle.service, revision: bundle.revision, previous: old?.bundle.revision ?? null, source: from }, 'bundle applied');
    for (const fn of this.appliedListeners) fn(next);
    return { applied: true, revision: bundle.revision };
  }

  /** Records a refused bundle; the one in force keeps serving. */
  reject(reason: string, revision?: number): ReloadResult {
    this.lastRejection = { at: new Date().toISOString(), reason, ...(revision !== undefined ? { revision } : {}) };
    this.o.metrics.bundleReloads.inc({ result: 'rejected' });
    this.o.log.warn({ reason, rejected_revision: revision ?? null, keeping_revision: this.runtime?.bundle.revision ?? null }, 'bundle rejected; the previous bundle keeps serving');
    this.o.log.flush();
    return { applied: false, reason };
  }

  /** Marks the runtime (and any later one) as closing: answers carry `Connection: close`. */
  drain(): void {
    this.draining = true;
    if (this.runtime) this.runtime.closing = true;
  }

  /** Releases the runtime in force (health checkers, authenticator caches). */
  close(): void {
    this.runtime?.close();
  }
}
