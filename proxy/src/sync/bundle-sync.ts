/**
 * Synced mode: the sidecar's client of the control plane's bundle endpoint. It long-polls
 * `GET {controlPlane}/api/v1/sidecar/bundles/{service}?wait=N` with `If-None-Match` (RFC 9110 §13.1.2), verifies
 * every bundle received before handing it to `onBundle`, keeps the last applied one in a cache file to start from
 * when the control plane is unreachable, and reconnects with full-jitter back-off. Protocol: docs/bundle-sync.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWTVerifyGetKey } from 'jose';
import { pino, type Logger } from 'pino';
import { ServiceName, type PolicyBundle } from '@agentcore/policies';
import { ProxyError } from '../errors.js';
import { backoffDelay, checkBackoff, type BackoffOptions } from './backoff.js';
import { createControlPlaneClient, discardBody, type ControlPlaneFetch } from './control-plane-fetch.js';
import { verifySignedBundle } from '@agentcore/policies';

/** Where a bundle handed to `onBundle` came from. */
export type BundleSource = 'control-plane' | 'cache';

/** What `onBundle` decided: applied (now enforced), or refused with a reason (the old bundle stays). */
export type BundleDecision = { applied: true } | { applied: false; reason: string };

export interface BundleSyncOptions {
  /** base URL of the control plane, e.g. `https://admin.example:8443` */
  controlPlane: string;
  /** the service this sidecar enforces */
  service: string;
  /** per-service sidecar credential, sent as `Authorization: Bearer` */
  token: string;
  /** trusted bundle-signing keys: `createLocalJWKSet(jwks)` or `createRemoteJWKSet(url)` */
  keys: JWTVerifyGetKey;
  /** directory of the last-known-good bundle, `${cacheDir}/${service}.bundle.jws` */
  cacheDir: string;
  /** sent as `X-Sidecar-Instance` */
  instanceId: string;
  /** long-poll duration asked of the control plane, 0..300 s; default 30 */
  waitSeconds?: number;
  /** reconnect back-off; default 500 ms .. 30 s */
  backoff?: BackoffOptions;
  /** how long the first request at start may take before the cache is used; default 5000 ms */
  startTimeoutMs?: number;
  /** swaps the enforced bundle; called only with verified bundles, one at a time */
  onBundle(bundle: PolicyBundle, source: BundleSource): Promise<BundleDecision>;
  /** a received bundle was refused (verification or `onBundle`); `revision` is as claimed by the payload */
  onRejected?(revision: number | undefined, reason: string): void;
  log?: Logger;
  fetch?: ControlPlaneFetch;
  /** source of jitter in [0, 1); default Math.random */
  random?: () => number;
}

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

const DEFAULT_WAIT_SECONDS = 30;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };
const DEFAULT_START_TIMEOUT_MS = 5_000;
/** how much longer than `wait` a long-poll may take before it counts as a dead connection */
const POLL_GRACE_MS = 10_000;

/** The cache file of a service's last applied bundle. */
export function bundleCachePath(cacheDir: string, service: string): string {
  return join(cacheDir, `${service}.bundle.jws`);
}

/** The outcome of one request to the bundle endpoint. */
type PollOutcome =
  | { kind: 'bundle'; jws: string; etag: string | undefined }
  | { kind: 'unchanged' }
  /** 401/403: the sidecar credential is wrong */
  | { kind: 'refused'; status: number }
  /** network error, timeout, 5xx or any other status */
  | { kind: 'failed'; message: string };

/** The entity tag without quotes or weak prefix (RFC 9110 §8.8.3). */
function parseEtag(header: string | null): string | undefined {
  if (header === null) return undefined;
  const m = /^(?:W\/)?"([^"]*)"$/.exec(header.trim());
  const tag = m ? m[1] : header.trim();
  return tag === '' ? undefined : tag;
}

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

function configError(message: string): ProxyError {
  return new ProxyError('PROXY_SYNC_CONFIG_INVALID', `bundle sync: ${message}`);
}

function checkOptions(o: BundleSyncOptions): { endpoint: string; waitSeconds: number; backoff: BackoffOptions; startTimeoutMs: number } {
  let base: URL;
  try {
    base = new URL(o.controlPlane);
  } catch {
    throw configError(`controlPlane must be an http(s) URL, got "${o.controlPlane}"`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw configError(`controlPlane must be an http(s) URL, got "${o.controlPlane}"`);
  if (!ServiceName.safeParse(o.service).success) throw configError(`service must be a DNS label, got "${o.service}"`);
  if (o.token === '') throw configError('token (the sidecar credential) is empty');
  if (o.instanceId === '') throw configError('instanceId is empty');
  if (o.cacheDir === '') throw configError('cacheDir is empty');
  const waitSeconds = o.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 300) throw configError(`waitSeconds must be an integer in 0..300, got ${waitSeconds}`);
  const startTimeoutMs = o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  if (!(startTimeoutMs > 0)) throw configError(`startTimeoutMs must be positive, got ${startTimeoutMs}`);
  let backoff: BackoffOptions;
  try {
    backoff = checkBackoff(o.backoff ?? DEFAULT_BACKOFF);
  } catch (e) {
    throw configError((e as Error).message);
  }
  const path = base.pathname.replace(/\/+$/, '');
  const endpoint = `${base.origin}${path}/api/v1/sidecar/bundles/${encodeURIComponent(o.service)}`;
  return { endpoint, waitSeconds, backoff, startTimeoutMs };
}

/** Builds a bundle sync client; options are checked here (throws `PROXY_SYNC_CONFIG_INVALID`), nothing runs until start(). */
export function createBundleSync(o: BundleSyncOptions): BundleSync {
  const { endpoint, waitSeconds, backoff, startTimeoutMs } = checkOptions(o);
  const log = (o.log ?? pino({ enabled: false })).child({ component: 'bundle-sync', service: o.service });
  const random = o.random ?? Math.random;
  const cachePath = bundleCachePath(o.cacheDir, o.service);
  const client = createControlPlaneClient(o.fetch);
  const stopping = new AbortController();

  let started = false;
  let loop: Promise<void> | undefined;
  let appliedRevision: number | undefined;
  let appliedHash: string | undefined;
  /** the entity tag sent as If-None-Match: the applied bundle's hash, or that of the last rejected one */
  let etag: string | undefined;
  let lastRejection: { revision?: number; reason: string } | undefined;
  let connected = false;
  /** the kind of the previous outcome, so that a state change is logged once, not at every retry */
  let lastKind: PollOutcome['kind'] | undefined;

  const stopped = (): boolean => stopping.signal.aborted;

  async function request(wait: number, ifNoneMatch: string | undefined, timeoutMs: number): Promise<PollOutcome> {
    const ac = new AbortController();
    const onStop = (): void => ac.abort(new Error('bundle sync stopped'));
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => ac.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${o.token}`,
        'x-sidecar-instance': o.instanceId,
        accept: 'application/jose',
      };
      if (ifNoneMatch !== undefined) headers['if-none-match'] = `"${ifNoneMatch}"`;
      const res = await client.fetch(`${endpoint}?wait=${wait}`, { method: 'GET', headers, signal: ac.signal });
      if (res.status === 200) return { kind: 'bundle', jws: (await res.text()).trim(), etag: parseEtag(res.headers.get('etag')) };
      await discardBody(res);
      if (res.status === 304) return { kind: 'unchanged' };
      if (res.status === 401 || res.status === 403) return { kind: 'refused', status: res.status };
      return { kind: 'failed', message: `HTTP ${res.status}` };
    } catch (e) {
      const err = e as Error;
      const reason = ac.signal.aborted && ac.signal.reason instanceof Error ? ac.signal.reason.message : err.message;
      const cause = (err.cause as Error | undefined)?.message;
      return { kind: 'failed', message: cause && !ac.signal.aborted ? `${reason}: ${cause}` : reason };
    } finally {
      clearTimeout(timer);
      stopping.signal.removeEventListener('abort', onStop);
    }
  }

  function describe(r: Exclude<PollOutcome, { kind: 'bundle' }>): string {
    if (r.kind === 'refused') return `control plane refused the sidecar credential (HTTP ${r.status}); check --token`;
    if (r.kind === 'failed') return r.message;
    return 'unchanged';
  }

  function rejectBundle(revision: number | undefined, reason: string): void {
    lastRejection = revision === undefined ? { reason } : { revision, reason };
    log.warn({ revision, reason, applied_revision: appliedRevision }, 'bundle rejected, keeping the applied bundle');
    try {
      o.onRejected?.(revision, reason);
    } catch (e) {
      log.error({ err: e }, 'onRejected threw');
    }
  }

  async function writeCache(jws: string): Promise<void> {
    const tmp = `${cachePath}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await mkdir(o.cacheDir, { recursive: true });
      const fh = await open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(jws, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, cachePath);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      log.warn({ err: e, path: cachePath }, 'cannot write the bundle cache; a restart without the control plane would not find this bundle');
    }
  }

  /** Verifies, applies, caches. 'kept' = the same content as the applied bundle. */
  async function receive(jws: string, headerEtag: string | undefined, source: BundleSource): Promise<'applied' | 'kept' | 'rejected'> {
    const v = await verifySignedBundle(jws, o.keys, { service: o.service, minRevision: appliedRevision });
    if (!v.ok) {
      // The server's ETag names what it sent, so If-None-Match makes it wait for something newer.
      if (headerEtag !== undefined) etag = headerEtag;
      rejectBundle(claimedRevision(jws), `${v.reason}: ${v.message}`);
      return 'rejected';
    }
    const { bundle } = v;
    if (bundle.hash === appliedHash) {
      etag = appliedHash;
      return 'kept';
    }
    let decision: BundleDecision;
    try {
      decision = await o.onBundle(bundle, source);
    } catch (e) {
      decision = { applied: false, reason: `onBundle failed: ${(e as Error).message}` };
    }
    if (!decision.applied) {
      etag = bundle.hash;
      rejectBundle(bundle.revision, decision.reason);
      return 'rejected';
    }
    appliedRevision = bundle.revision;
    appliedHash = bundle.hash;
    etag = bundle.hash;
    log.info({ revision: bundle.revision, hash: bundle.hash, kid: v.kid, source }, 'bundle applied');
    if (source === 'control-plane') await writeCache(jws);
    return 'applied';
  }

  async function loadCache(): Promise<{ ok: true; jws: string } | { ok: false; message: string }> {
    try {
      return { ok: true, jws: (await readFile(cachePath, 'utf8')).trim() };
    } catch (e) {
      return { ok: false, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no cached bundle' : (e as Error).message };
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (stopped()) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  function noteOutcome(r: PollOutcome): void {
    const wasConnected = connected;
    connected = r.kind === 'bundle' || r.kind === 'unchanged';
    if (connected && !wasConnected && lastKind !== undefined) log.info('control plane reachable again');
    if (!connected && r.kind !== lastKind) {
      const problem = describe(r as Exclude<PollOutcome, { kind: 'bundle' }>);
      if (r.kind === 'refused') log.error({ status: (r as { status: number }).status }, problem);
      else log.warn({ problem }, 'control plane unreachable, enforcing the applied bundle and retrying with back-off');
    }
    lastKind = r.kind;
  }

  /** The background long-poll: runs until stop(). */
  async function run(): Promise<void> {
    let failures = 0;
    let idle = 0;
    while (!stopped()) {
      const sent = etag;
      const began = Date.now();
      const r = await request(waitSeconds, sent, waitSeconds * 1000 + POLL_GRACE_MS);
      if (stopped()) return;
      noteOutcome(r);
      if (r.kind === 'refused' || r.kind === 'failed') {
        const delay = backoffDelay(failures++, backoff, random);
        log.debug({ attempt: failures, delay_ms: delay, problem: describe(r) }, 'bundle poll failed, backing off');
        await sleep(delay);
        continue;
      }
      failures = 0;
      // An answer that gives no reason to wait (the server ignored If-None-Match or did not long-poll) must not
      // turn into a tight loop: back off until the server behaves.
      let immediate: boolean;
      if (r.kind === 'bundle') immediate = (await receive(r.jws, r.etag, 'control-plane')) === 'applied' || etag !== sent;
      else immediate = Date.now() - began >= (waitSeconds * 1000) / 2;
      if (immediate) {
        idle = 0;
        continue;
      }
      const delay = backoffDelay(idle++, backoff, random);
      log.debug({ delay_ms: delay }, 'control plane answered without waiting, pausing');
      await sleep(delay);
    }
  }

  async function start(): Promise<BundleSource> {
    if (started) throw new ProxyError('PROXY_SYNC_STARTED', 'bundle sync: start() called twice');
    started = true;
    try {
      const first = await request(0, undefined, startTimeoutMs);
      if (stopped()) throw new ProxyError('PROXY_SYNC_STOPPED', 'bundle sync: stopped during start');
      noteOutcome(first);
      let problem: string;
      if (first.kind === 'bundle') {
        const outcome = await receive(first.jws, first.etag, 'control-plane');
        if (outcome === 'applied') {
          loop = run();
          return 'control-plane';
        }
        problem = `its bundle was rejected (${lastRejection?.reason ?? 'unknown reason'})`;
      } else {
        problem = describe(first);
      }

      const cached = await loadCache();
      let cacheProblem: string;
      if (cached.ok) {
        if ((await receive(cached.jws, undefined, 'cache')) === 'applied') {
          log.warn({ problem, revision: appliedRevision, path: cachePath }, 'control plane unavailable at start, enforcing the cached bundle');
          loop = run();
          return 'cache';
        }
        cacheProblem = lastRejection?.reason ?? 'rejected';
      } else {
        cacheProblem = cached.message;
      }
      throw new ProxyError(
        'PROXY_SYNC_NO_BUNDLE',
        `no policy bundle for service "${o.service}": control plane ${endpoint}: ${problem}; cache ${cachePath}: ${cacheProblem}`,
      );
    } catch (e) {
      stopping.abort();
      await client.close();
      throw e;
    }
  }

  async function stop(): Promise<void> {
    stopping.abort();
    await loop;
    await client.close();
    connected = false;
  }

  return {
    start,
    stop,
    get appliedRevision() {
      return appliedRevision;
    },
    get appliedHash() {
      return appliedHash;
    },
    get lastRejection() {
      return lastRejection;
    },
    get connected() {
      return connected;
    },
  };
}
