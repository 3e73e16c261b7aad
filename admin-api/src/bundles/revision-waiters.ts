/**
 * Long-poll fan-out: requests waiting for a service's next revision register here; one notifier subscription
 * wakes them all, with one store read per service per wake-up (never one DB poll per waiting request). A slow
 * sweep re-checks services with waiters, covering announcements lost while a notifier was reconnecting.
 */
import type { Logger } from 'pino';
import { getLatestRevision, type BundleRevision, type Store } from '../store/index.js';
import type { ChangeNotifier } from './change-notifier.js';

export interface RevisionWaiters {
  /**
   * Resolves with the latest revision once its hash is not one of `known`, or with undefined after `timeoutMs`
   * or when `signal` aborts. Registers before reading the store, so a publish in between is never missed.
   */
  waitForChange(service: string, known: ReadonlySet<string>, timeoutMs: number, signal?: AbortSignal): Promise<BundleRevision | undefined>;
  /** tells the waiters of `service` that a revision exists (from this replica's publish or the notifier) */
  revisionPublished(service: string, revision: number): void;
  /** how many requests wait now (all services) */
  readonly size: number;
  close(): void;
}

interface Waiter {
  known: ReadonlySet<string>;
  done(rev: BundleRevision | undefined): void;
}

/** Default interval of the safety sweep. */
export const WAITER_SWEEP_MS = 3_000;

export function createRevisionWaiters(deps: { store: Store; notifier: ChangeNotifier; log: Logger; sweepMs?: number }): RevisionWaiters {
  const byService = new Map<string, Set<Waiter>>();
  const checking = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let size = 0;

  /** Reads the latest revision once and wakes every waiter whose known hashes it is not among. */
  const check = (service: string): void => {
    if (!byService.has(service)) return;
    if (checking.has(service)) {
      again.add(service); // a newer revision may have landed after the running read started
      return;
    }
    const run = (async () => {
      try {
        const latest = await getLatestRevision(deps.store, service);
        const set = byService.get(service);
        if (!latest || !set) return;
        for (const w of [...set]) if (!w.known.has(latest.hash)) w.done(latest);
      } catch (err) {
        deps.log.warn({ err, service }, 'cannot read the latest revision for waiting sidecars');
      } finally {
        checking.delete(service);
        if (again.delete(service)) check(service);
      }
    })();
    checking.set(service, run);
  };

  const unsubscribe = deps.notifier.subscribe((service) => check(service));
  const sweep = setInterval(() => {
    for (const service of byService.keys()) check(service);
  }, deps.sweepMs ?? WAITER_SWEEP_MS);
  sweep.unref();

  const remove = (service: string, w: Waiter): boolean => {
    const set = byService.get(service);
    if (!set?.delete(w)) return false;
    size--;
    if (set.size === 0) byService.delete(service);
    return true;
  };

  return {
    get size() {
      return size;
    },
    async waitForChange(service, known, timeoutMs, signal) {
      if (signal?.aborted) return undefined;
      return new Promise<BundleRevision | undefined>((resolve) => {
        const finish = (rev: BundleRevision | undefined): void => {
          if (!remove(service, waiter)) return;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(rev);
        };
        const waiter: Waiter = { known, done: finish };
        const onAbort = (): void => finish(undefined);
        const timer = setTimeout(() => finish(undefined), timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        let set = byService.get(service);
        if (!set) byService.set(service, (set = new Set()));
        set.add(waiter);
        size++;
        // The caller read the latest revision before registering; re-check now that we are registered.
        check(service);
      });
    },
    revisionPublished(service) {
      check(service);
    },
    close() {
      unsubscribe();
      clearInterval(sweep);
      for (const set of [...byService.values()]) for (const w of [...set]) w.done(undefined);
    },
  };
}
