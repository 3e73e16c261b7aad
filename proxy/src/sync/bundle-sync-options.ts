/** The options of the bundle sync client, and their checks (a bad option fails at construction, not at start). */
import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { ServiceName, type PolicyBundle } from '@agentcore/policies';
import { ProxyError } from '../errors.js';
import { checkBackoff, type BackoffOptions } from './backoff.js';
import type { ControlPlaneFetch } from './control-plane-fetch.js';

/** Where a bundle handed to `onBundle` came from. */
export type BundleSource = 'control-plane' | 'cache';

/** What `onBundle` decided: applied (now enforced), or refused with a reason (the old bundle stays). */
export type BundleDecision = { applied: true } | { applied: false; reason: string };

/** How to reach the control plane and what to do with verified bundles. */
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

const DEFAULT_WAIT_SECONDS = 30;
const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 };
const DEFAULT_START_TIMEOUT_MS = 5_000;

function configError(message: string): ProxyError {
  return new ProxyError('PROXY_SYNC_CONFIG_INVALID', `bundle sync: ${message}`);
}

/** The checked settings of a sync client. */
export interface Checked {
  endpoint: string;
  waitSeconds: number;
  backoff: BackoffOptions;
  startTimeoutMs: number;
}

/** Checks the options; throws `PROXY_SYNC_CONFIG_INVALID`. */
export function checkOptions(o: BundleSyncOptions): Checked {
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
