/**
 * The bundle service: compiles, signs and publishes each service's policy bundle, and wakes the long-polls waiting
 * for it (`waiters`, which the sidecar contract in `sidecar/` serves). See docs/bundle-sync.md.
 */
import type { Logger } from 'pino';
import type { Actor } from '../auth/admin-roles.js';
import type { EndpointSpec } from '../http/endpoint.js';
import type { KeyRing } from '../secrets/envelope.js';
import type { Store } from '../store/index.js';
import { bundleEndpoints } from './bundle-endpoints.js';
import { bundleStatusEndpoint } from './bundle-status-endpoint.js';
import type { PublishObserver } from './publish-failures.js';
import { createBundlePublisher } from './bundle-publisher.js';
import { createLocalNotifier, type ChangeNotifier } from './change-notifier.js';
import { createRevisionWaiters, type RevisionWaiters } from './revision-waiters.js';
import { ensureSigningKey } from '../store/signing-keys-repo.js';

export { createLocalNotifier, type ChangeNotifier } from './change-notifier.js';
export { createPostgresNotifier, BUNDLE_CHANNEL, type PostgresChangeNotifier } from './postgres-notifier.js';
export { compileBundle, type CompiledBundle } from './compile-bundle.js';
export { contentHash, type PublishResult } from './bundle-publisher.js';
export { diffJson, type DiffEntry } from './bundle-diff.js';
export { RETRY_BASE_MS, RETRY_MAX_MS, retryDelay, type PublishObserver } from './publish-failures.js';

export interface BundleService {
  endpoints: EndpointSpec<never, never, never>[];
  /** called by the resource endpoints after every committed change: recompile, validate, sign, store a new revision (if the content changed), wake long-polls */
  onPolicyChange(service: string, actor: Actor): void;
  /** the long-poll waiters the sidecar contract waits on (createSidecarContract({ waiters })) */
  readonly waiters: RevisionWaiters;
  /** publish now (awaitable; onPolicyChange uses it, debounced ~50 ms per service so a burst of changes makes one revision) */
  publish(service: string, actor: string): Promise<{ revision: number; hash: string } | { unchanged: true }>;
  /** how many bundle long-polls wait on this replica now */
  readonly waiting: number;
  close(): Promise<void>;
}

export interface BundleServiceDeps {
  store: Store;
  log: Logger;
  /** default: createLocalNotifier() (one replica); with several replicas on PostgreSQL, createPostgresNotifier. Closed by close(). */
  notifier?: ChangeNotifier;
  /** encrypts the signing keys' private halves at rest (AGENTCORE_SECRET_KEY); without it they are stored in clear */
  keyRing?: KeyRing;
  /** epoch ms; tests move it */
  now?: () => number;
  /** debounce of onPolicyChange publishes (ms, default 50) */
  debounceMs?: number;
  /** metric hooks of publishes (admin metrics) */
  observer?: PublishObserver;
  /** first retry delay after a failed publish (ms, default 1000, doubling up to 60 s) */
  retryBaseMs?: number;
}

/** Creates the bundle service; generates and stores the first signing key (ES256) if the store has none. */
export async function createBundleService(deps: BundleServiceDeps): Promise<BundleService> {
  const { store } = deps;
  const log = deps.log.child({ module: 'bundles' });
  const notifier = deps.notifier ?? createLocalNotifier();
  const keyRing = deps.keyRing;
  await ensureSigningKey(store, keyRing);
  const waiters = createRevisionWaiters({ store, notifier, log });
  const publisher = createBundlePublisher({ store, keyRing, log, notifier, waiters, now: deps.now, debounceMs: deps.debounceMs, observer: deps.observer, retryBaseMs: deps.retryBaseMs });
  await publisher.resume(); // desired state left unpublished by an earlier run (failure or restart) is published again
  return {
    endpoints: [...bundleEndpoints({ store, keyRing, publisher }), bundleStatusEndpoint({ store })],
    waiters,
    onPolicyChange: (service, actor) => publisher.schedule(service, actor.username),
    publish: (service, actor) => publisher.publish(service, actor),
    get waiting() {
      return waiters.size;
    },
    async close() {
      await publisher.close();
      waiters.close();
      await notifier.close();
    },
  };
}
