/**
 * Synced mode: the sidecar's client of the control plane's bundle endpoint. It long-polls
 * `GET {controlPlane}/api/v1/sidecar/bundles/{service}?wait=N` with `If-None-Match` (RFC 9110 §13.1.2), verifies
 * every bundle received before handing it to `onBundle`, keeps the last applied one in a cache file to start from
 * when the control plane is unreachable, and reconnects with full-jitter back-off. Protocol: docs/bundle-sync.md.
 */
import { verifySignedBundle } from '@agentcore/policies';
import { pino, type Logger } from 'pino';
import { ProxyError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import { bundleCachePath, readBundleCache, writeBundleCache } from './bundle-cache-file.js';
import { describePoll, pollBundle, type PollOutcome } from './bundle-poll.js';
import { checkOptions, type BundleDecision, type BundleSource, type BundleSyncOptions, type Checked } from './bundle-sync-options.js';
import { createControlPlaneClient, type ControlPlaneClient } from './control-plane-fetch.js';

export { bundleCachePath } from './bundle-cache-file.js';
export type { BundleDecision, BundleSource, BundleSyncOptions } from './bundle-sync-options.js';

/** The bundle sync client. */
export interface BundleSync {
  /**
   * Applies the first bundle, from the control plane or, if that fails, from the verified cache file, then keeps
   * long-polling in the background. Throws `ProxyError` `PROXY_SYNC_NO_BUNDLE` when neither gives a bundle.
   */
  start(): Promise<BundleSource>;
  /** Ends the long-poll at once, cancels every timer and closes the sockets it opened. */
  stop(): Promise<void>;
  readonly appliedRevision: number | undefined;
  readonly appliedHash: string | undefined;
  readonly lastRejection: { revision?: number; reason: string } | undefined;
  /** the last exchange with the control plane got an answer (200/304) */
  readonly connected: boolean;
}

/** how much longer than `wait` a long-poll may take before it counts as a dead connection */
const POLL_GRACE_MS = 10_000;

/** The revision a JWS payload claims, unverified: only for reporting a rejection. */
function claimedRevision(jws: string): number | undefined {
  try {
    const payload = jws.split('.')[1] ?? '';
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const revision = (value as { revision?: unknown } | null)?.revision;
    return Number.isSafeInteger(revision) ? (revision as number) : undefined;
  } catch {
    return undefined;
  }
}

/** The long-poll client; its state is what it applied, last rejected and last heard. */
class BundleSyncClient implements BundleSync {
  private readonly c: Checked;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly cachePath: string;
  private readonly client: ControlPlaneClient;
  private readonly stopping = new AbortController();
  private started = false;
  private loop: Promise<void> | undefined;
  appliedRevision: number | undefined;
  appliedHash: string | undefined;
  /** the entity tag sent as If-None-Match: the applied bundle's hash, or that of the last rejected one */
  private etag: string | undefined;
  lastRejection: { revision?: number; reason: string } | undefined;
  connected = false;
  /** the kind of the previous outcome, so that a state change is logged once, not at every retry */
  private lastKind: PollOutcome['kind'] | undefined;

  constructor(private readonly o: BundleSyncOptions) {
    this.c = checkOptions(o);
    this.log = (o.log ?? pino({ enabled: false })).child({ component: 'bundle-sync', service: o.service });
    this.random = o.random ?? Math.random;
    this.cachePath = bundleCachePath(o.cacheDir, o.service);
    this.client = createControlPlaneClient(o.fetch);
  }

  private stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private request(wait: number, ifNoneMatch: string | undefined, timeoutMs: number): Promise<PollOutcome> {
    return pollBundle(this.client, `${this.c.endpoint}?wait=${wait}`, this.o, ifNoneMatch, timeoutMs, this.stopping.signal);
  }

  private rejectBundle(revision: number | undefined, reason: string): void {
    this.lastRejection = revision === undefined ? { reason } : { revision, reason };
    this.log.warn({ revision, reason, applied_revision: this.appliedRevision }, 'bundle rejected, keeping the applied bundle');
    try {
      this.o.onRejected?.(revision, reason);
    } catch (e) {
      this.log.error({ err: e }, 'onRejected threw');
    }
  }

  /** Verifies, applies, caches. 'kept' = the same content as the applied bundle. */
  private async receive(jws: string, headerEtag: string | undefined, source: BundleSource): Promise<'applied' | 'kept' | 'rejected'> {
    const v = await verifySignedBundle(jws, this.o.keys, { service: this.o.service, minRevision: this.appliedRevision });
    if (!v.ok) {
      // The server's ETag names what it sent, so If-None-Match makes it wait for something newer.
      if (headerEtag !== undefined) this.etag = headerEtag;
      this.rejectBundle(claimedRevision(jws), `${v.reason}: ${v.message}`);
      return 'rejected';
    }
    const { bundle } = v;
    if (bundle.hash === this.appliedHash) {
      this.etag = this.appliedHash;
      return 'kept';
    }
    let decision: BundleDecision;
    try {
      decision = await this.o.onBundle(bundle, source);
    } catch (e) {
      decision = { applied: false, reason: `onBundle failed: ${(e as Error).message}` };
    }
    if (!decision.applied) {
      this.etag = bundle.hash;
      this.rejectBundle(bundle.revision, decision.reason);
      return 'rejected';
    }
    this.appliedRevision = bundle.revision;
    this.appliedHash = bundle.hash;
    this.etag = bundle.hash;
    this.log.info({ revision: bundle.revision, hash: bundle.hash, kid: v.kid, source }, 'bundle applied');
    if (source === 'control-plane') await writeBundleCache(this.cachePath, jws, this.log);
    return 'applied';
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private noteOutcome(r: PollOutcome): void {
    const wasConnected = this.connected;
    this.connected = r.kind === 'bundle' || r.kind === 'unchanged';
    if (this.connected && !wasConnected && this.lastKind !== undefined) this.log.info('control plane reachable again');
    if (!this.connected && r.kind !== this.lastKind) {
      const problem = describePoll(r as Exclude<PollOutcome, { kind: 'bundle' }>);
      if (r.kind === 'refused') this.log.error({ status: (r as { status: number }).status }, problem);
      else this.log.warn({ problem }, 'control plane unreachable, enforcing the applied bundle and retrying with back-off');
    }
    this.lastKind = r.kind;
  }

  /** The background long-poll: runs until stop(). */
  private async run(): Promise<void> {
    const { waitSeconds, backoff } = this.c;
    let failures = 0;
    let idle = 0;
    while (!this.stopped()) {
      const sent = this.etag;
      const began = Date.now();
      const r = await this.request(waitSeconds, sent, waitSeconds * 1000 + POLL_GRACE_MS);
      if (this.stopped()) return;
      this.noteOutcome(r);
      if (r.kind === 'refused' || r.kind === 'failed') {
        const delay = backoffDelay(failures++, backoff, this.random);
        this.log.debug({ attempt: failures, delay_ms: delay, problem: describePoll(r) }, 'bundle poll failed, backing off');
        await this.sleep(delay);
        continue;
      }
      failures = 0;
      // An answer that gives no reason to wait (the server ignored If-None-Match or did not long-poll) must not
      // turn into a tight loop: back off until the server behaves.
      let immediate: boolean;
      if (r.kind === 'bundle') immediate = (await this.receive(r.jws, r.etag, 'control-plane')) === 'applied' || this.etag !== sent;
      else immediate = Date.now() - began >= (waitSeconds * 1000) / 2;
      if (immediate) {
        idle = 0;
        continue;
      }
      const delay = backoffDelay(idle++, backoff, this.random);
      this.log.debug({ delay_ms: delay }, 'control plane answered without waiting, pausing');
      await this.sleep(delay);
    }
  }

  async start(): Promise<BundleSource> {
    if (this.started) throw new ProxyError('PROXY_SYNC_STARTED', 'bundle sync: start() called twice');
    this.started = true;
    try {
      return await this.first();
    } catch (e) {
      this.stopping.abort();
      await this.client.close();
      throw e;
    }
  }

  /** The first bundle: from the control plane, else from the cache file, else `PROXY_SYNC_NO_BUNDLE`. */
  private async first(): Promise<BundleSource> {
    const first = await this.request(0, undefined, this.c.startTimeoutMs);
    if (this.stopped()) throw new ProxyError('PROXY_SYNC_STOPPED', 'bundle sync: stopped during start');
    this.noteOutcome(first);
    let problem: string;
    if (first.kind === 'bundle') {
      if ((await this.receive(first.jws, first.etag, 'control-plane')) === 'applied') {
        this.loop = this.run();
        return 'control-plane';
      }
      problem = `its bundle was rejected (${this.lastRejection?.reason ?? 'unknown reason'})`;
    } else {
      problem = describePoll(first);
    }
    const cached = await readBundleCache(this.cachePath);
    let cacheProblem: string;
    if (cached.ok) {
      if ((await this.receive(cached.jws, undefined, 'cache')) === 'applied') {
        this.log.warn({ problem, revision: this.appliedRevision, path: this.cachePath }, 'control plane unavailable at start, enforcing the cached bundle');
        this.loop = this.run();
        return 'cache';
      }
      cacheProblem = this.lastRejection?.reason ?? 'rejected';
    } else {
      cacheProblem = cached.message;
    }
    throw new ProxyError(
      'PROXY_SYNC_NO_BUNDLE',
      `no policy bundle for service "${this.o.service}": control plane ${this.c.endpoint}: ${problem}; cache ${this.cachePath}: ${cacheProblem}`,
    );
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.client.close();
    this.connected = false;
  }
}

/** Builds a bundle sync client; options are checked here (throws `PROXY_SYNC_CONFIG_INVALID`), nothing runs until start(). */
export function createBundleSync(o: BundleSyncOptions): BundleSync {
  return new BundleSyncClient(o);
}
