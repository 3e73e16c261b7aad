/**
 * Publishing: compile the store's view of a service, validate, sign with the active key and store it as the next
 * revision — unless its content equals the latest revision's. Publishes of one service run one at a time; policy
 * changes are debounced so a burst of edits makes one revision. Every new revision wakes the long-polls (this
 * replica directly, the others through the ChangeNotifier).
 */
import { bundleHash, canonicalJson, validateBundle, type BundleIssue, type PolicyBundle } from '@agentcore/policies';
import type { Logger } from 'pino';
import { AdminError } from '../errors.js';
import { appendAuditEvent, getLatestRevision, getPublishStatus, getRevision, markDesired, publishRevision, recordPublished, type Store } from '../store/index.js';
import { signBundle } from '@agentcore/policies';
import type { ChangeNotifier } from './change-notifier.js';
import { createPublishRetries, type PublishObserver } from './publish-failures.js';
import { compileBundle } from './compile-bundle.js';
import type { RevisionWaiters } from './revision-waiters.js';
import { withdrawalBundle, withdrawKeys, withdrawTokens, type PublishedKey } from './withdrawal-fallback.js';
import { ensureSigningKey } from '../store/signing-keys-repo.js';
import type { KeyRing } from '../secrets/envelope.js';

/** A new revision, or the content equals the latest revision's (nothing stored). */
export type PublishResult = { revision: number; hash: string } | { unchanged: true; revision: number; hash: string };

/** Debounce of policy-change publishes, per service. */
export const PUBLISH_DEBOUNCE_MS = 50;

export interface BundlePublisher {
  /** compiles and publishes `service` now (queued behind a running publish of the same service) */
  publish(service: string, actor: string): Promise<PublishResult>;
  /** publishes revision `revision`'s content again, as a new revision */
  rollback(service: string, revision: number, actor: string): Promise<PublishResult>;
  /** records the change as desired state (in the store), then a debounced publish; failures are recorded and retried */
  schedule(service: string, actor: string): void;
  /** arms retries for services whose desired state is unpublished in the store (call once at start) */
  resume(): Promise<void>;
  /** runs the pending debounced publishes and waits for the running ones */
  close(): Promise<void>;
}

/** The hash of what a bundle enforces: `bundleHash` without revision, hash and createdAt. */
export function contentHash(bundle: object): string {
  const { revision: _r, hash: _h, createdAt: _c, ...content } = bundle as Record<string, unknown>;
  return bundleHash(content);
}

/** 400 ADMIN_POLICY_INVALID with one field per bundle issue. */
export function policyInvalid(service: string, issues: readonly BundleIssue[]): AdminError {
  return new AdminError(
    'ADMIN_POLICY_INVALID',
    `the policy of service "${service}" does not compile to a valid bundle; the last good revision stays published`,
    { fields: issues.map((i) => ({ path: i.path, message: i.message })) },
  );
}

/** Per-service serial execution: a task starts after every earlier task of the same service settled. */
function createSerialQueue(): { run<T>(service: string, task: () => Promise<T>): Promise<T>; idle(): Promise<unknown> } {
  const queues = new Map<string, Promise<unknown>>();
  return {
    run<T>(service: string, task: () => Promise<T>): Promise<T> {
      const prev = queues.get(service) ?? Promise.resolve();
      const run = prev.then(task, task);
      const tail = run.catch(() => {});
      queues.set(service, tail);
      void tail.then(() => {
        if (queues.get(service) === tail) queues.delete(service);
      });
      return run;
    },
    idle: () => Promise.all([...queues.values()]),
  };
}

type StoreDeps = { store: Store; keyRing: KeyRing | undefined; log: Logger; notifier: ChangeNotifier; waiters: RevisionWaiters; now: () => number };

/** Signs and stores `bundle` as the next revision unless its content equals the latest; audits, logs and wakes waiters. */
async function storeRevision(deps: StoreDeps, service: string, actor: string, bundle: PolicyBundle, action: string): Promise<PublishResult> {
  const latest = await getLatestRevision(deps.store, service);
  if (latest && contentHash(JSON.parse(latest.content) as object) === contentHash(bundle)) {
    return { unchanged: true, revision: latest.revision, hash: latest.hash };
  }
  const key = await ensureSigningKey(deps.store, deps.keyRing);
  const createdAt = new Date(deps.now()).toISOString();
  const rev = await publishRevision(deps.store, service, actor, async (revision) => {
    const { hash: _old, ...rest } = bundle;
    const full: PolicyBundle = { ...rest, revision, createdAt };
    const hash = bundleHash(full);
    return { hash, content: canonicalJson({ ...full, hash }), signature: await signBundle(full, key) };
  });
  await appendAuditEvent(deps.store, {
    actor,
    outcome: 'allowed',
    action,
    resourceType: 'bundle',
    resourceId: service,
    before: latest ? { revision: latest.revision, hash: latest.hash } : null,
    after: { revision: rev.revision, hash: rev.hash, kid: key.kid },
  }).catch((err: unknown) => deps.log.error({ err, service }, 'cannot record the bundle publish in the audit trail'));
  deps.log.info({ service, revision: rev.revision, hash: rev.hash, kid: key.kid, actor, action }, 'bundle revision published');
  deps.waiters.revisionPublished(service, rev.revision);
  deps.notifier.publish(service, rev.revision).catch((err: unknown) => deps.log.warn({ err, service }, 'cannot announce the new bundle revision to other replicas'));
  return { revision: rev.revision, hash: rev.hash };
}

/** markDesired writes in flight per service: a publish reads the desired sequence after they settled. */
function trackDesiredMarks(store: Store, log: Logger, now: () => number): { mark(service: string): void; settled(service: string): Promise<void> } {
  const marks = new Map<string, Promise<void>>();
  return {
    mark(service) {
      const mark = markDesired(store, service, now()).catch((err: unknown) => log.error({ err, service }, 'cannot record the policy change as desired state'));
      marks.set(service, mark);
      void mark.then(() => {
        if (marks.get(service) === mark) marks.delete(service);
      });
    },
    settled: async (service) => marks.get(service),
  };
}

/** Revocation wins: the last good content with the credentials withdrawn since, when the policy does not compile (errors are logged). */
async function withdrawOnly(deps: StoreDeps, service: string, actor: string): Promise<void> {
  try {
    const bundle = await withdrawalBundle(deps.store, service, deps.now());
    if (!bundle) return;
    const r = await storeRevision(deps, service, actor, bundle, 'bundle.publish-withdrawals');
    deps.log.error({ service, revision: r.revision }, 'policy does not compile: published only the withdrawn credentials on top of the last good revision');
  } catch (err) {
    deps.log.error({ err, service }, 'cannot publish the withdrawn credentials of a service whose policy does not compile');
  }
}

/** Revision `revision`'s content to publish again; keys withdrawn and OAuth tokens revoked since stay so (revocation wins over a rollback too). */
async function rollbackBundle(store: Store, service: string, revision: number, now: number): Promise<PolicyBundle> {
  const old = await getRevision(store, service, revision);
  const { revision: _r, hash: _h, createdAt: _c, ...content } = JSON.parse(old.content) as { authentication: { apiKeys: PublishedKey[] } } & Record<string, unknown>;
  const withdrawn = await withdrawKeys(store, service, content, now);
  const tokens = await withdrawTokens(store, service, withdrawn.content as typeof withdrawn.content & { authentication: { revokedTokens?: { jti: string; exp: number }[] } }, now);
  const checked = validateBundle({ ...tokens.content, revision: 0 });
  if (!checked.ok) throw policyInvalid(service, checked.issues);
  return checked.bundle;
}

/** What the publisher needs. */
export interface BundlePublisherDeps {
  store: Store;
  keyRing: KeyRing | undefined;
  log: Logger;
  notifier: ChangeNotifier;
  waiters: RevisionWaiters;
  now?: () => number;
  debounceMs?: number;
  observer?: PublishObserver;
  /** first retry delay after a failed publish (ms, doubled per failure up to 60 s) */
  retryBaseMs?: number;
}

/** Builds the publisher: serial per service, debounced schedule(), audited revisions. */
export function createBundlePublisher(deps: BundlePublisherDeps): BundlePublisher {
  const now = deps.now ?? Date.now;
  const observer: PublishObserver = deps.observer ?? { published: () => {}, failed: () => {} };
  const pending = new Map<string, { timer: NodeJS.Timeout; actor: string }>();
  const marks = trackDesiredMarks(deps.store, deps.log, now);
  let closed = false;

  const queue = createSerialQueue();
  const serial = queue.run;
  const store = (service: string, actor: string, bundle: PolicyBundle, action: string): Promise<PublishResult> => storeRevision({ ...deps, now }, service, actor, bundle, action);
  const retries = createPublishRetries({ store: deps.store, log: deps.log, now, observer, baseMs: deps.retryBaseMs, retry: (service) => publish(service, 'system:retry') });

  const attempt = async (service: string, actor: string): Promise<PublishResult> => {
    const started = performance.now();
    await marks.settled(service);
    const seq = (await getPublishStatus(deps.store, service))?.desiredSeq ?? 0;
    const compiled = await compileBundle(deps.store, service, now()).catch(async (err: unknown) => {
      await publishWithdrawals(service, actor);
      throw err;
    });
    if (!compiled.ok) {
      await publishWithdrawals(service, actor); // revocation wins (withdrawal-fallback.ts)
      throw policyInvalid(service, compiled.issues);
    }
    const result = await store(service, actor, compiled.bundle, 'bundle.publish');
    await recordPublished(deps.store, service, seq, now());
    retries.succeeded(service);
    observer.published(service, result.revision, (performance.now() - started) / 1000);
    return result;
  };

  const publishWithdrawals = (service: string, actor: string): Promise<void> => withdrawOnly({ ...deps, now }, service, actor);

  const publish = (service: string, actor: string): Promise<PublishResult> =>
    serial(service, async () => {
      try {
        return await attempt(service, actor);
      } catch (err) {
        await retries.failed(service, err);
        throw err;
      }
    });

  const rollback = (service: string, revision: number, actor: string): Promise<PublishResult> =>
    serial(service, async () => store(service, actor, await rollbackBundle(deps.store, service, revision, now()), 'bundle.rollback'));

  // failures are recorded, logged and retried by `retries`
  const fire = (service: string, actor: string): Promise<void> => publish(service, actor).then(() => {}, () => {});

  return {
    publish,
    rollback,
    schedule(service, actor) {
      if (closed) return;
      marks.mark(service);
      const prev = pending.get(service);
      if (prev) clearTimeout(prev.timer);
      const timer = setTimeout(() => {
        pending.delete(service);
        void fire(service, actor);
      }, deps.debounceMs ?? PUBLISH_DEBOUNCE_MS);
      pending.set(service, { timer, actor });
    },
    resume: () => retries.resume(),
    async close() {
      closed = true;
      retries.close();
      const flush = [...pending].map(([service, p]) => {
        clearTimeout(p.timer);
        return fire(service, p.actor);
      });
      pending.clear();
      await Promise.all(flush);
      await queue.idle();
    },
  };
}
