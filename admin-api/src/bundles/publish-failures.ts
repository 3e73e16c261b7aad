/**
 * What happens when a publish fails: the failure is kept in the store (survives a restart), logged as an error,
 * counted, and the publish is retried with exponential back-off until it succeeds or the desired state is
 * published by another attempt. Retries are per service; one timer at most per service.
 */
import type { Logger } from 'pino';
import { AdminError } from '../errors.js';
import { getPublishStatus, listPendingPublishes, recordPublishFailure, StoreError, type PublishIssue, type Store } from '../store/index.js';

/** Metric hooks of the publisher (admin metrics; a no-op by default). */
export interface PublishObserver {
  published(service: string, revision: number, seconds: number): void;
  failed(service: string, err: unknown): void;
}

/** First retry delay and ceiling (ms). */
export const RETRY_BASE_MS = 1_000;
export const RETRY_MAX_MS = 60_000;

/** The delay before attempt `failures + 1`: base · 2^(failures−1), capped. */
export function retryDelay(failures: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/** The code, message and issues a failure is recorded with (no stack, no secrets: codes and messages only). */
export function describeFailure(err: unknown): { code: string; message: string; issues: PublishIssue[] } {
  if (err instanceof AdminError || err instanceof StoreError) {
    const fields = (err instanceof AdminError ? (err.details.fields as PublishIssue[] | undefined) : err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }))) ?? [];
    return { code: err.code, message: err.message, issues: fields };
  }
  return { code: 'ADMIN_INTERNAL', message: err instanceof Error ? err.message : String(err), issues: [] };
}

export interface PublishRetries {
  /** records `err` for `service`, logs it, counts it and arms the retry */
  failed(service: string, err: unknown): Promise<void>;
  /** a publish of `service` succeeded: no retry is needed */
  succeeded(service: string): void;
  /** arms retries for every service whose desired state is unpublished in the store (at start-up) */
  resume(): Promise<void>;
  close(): void;
}

/** Builds the retry book-keeping; `retry(service)` runs one publish attempt. */
export function createPublishRetries(deps: {
  store: Store;
  log: Logger;
  now: () => number;
  observer: PublishObserver;
  retry: (service: string) => Promise<unknown>;
  baseMs?: number;
  maxMs?: number;
}): PublishRetries {
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;
  const arm = (service: string, delayMs: number): void => {
    if (closed) return;
    clearTimeout(timers.get(service));
    const t = setTimeout(() => {
      timers.delete(service);
      deps.retry(service).catch(() => {}); // a failure re-arms through failed()
    }, Math.max(0, delayMs));
    t.unref();
    timers.set(service, t);
  };
  return {
    async failed(service, err) {
      if (err instanceof StoreError && err.code === 'ADMIN_STORE_NOT_FOUND') return; // the service is gone
      const failure = describeFailure(err);
      deps.observer.failed(service, err);
      const now = deps.now();
      let attempts = 1;
      try {
        attempts = ((await getPublishStatus(deps.store, service))?.failures ?? 0) + 1;
        await recordPublishFailure(deps.store, service, failure, now, now + retryDelay(attempts, deps.baseMs, deps.maxMs));
      } catch (storeErr) {
        deps.log.error({ err: storeErr, service }, 'cannot record the bundle publish failure in the store');
      }
      const nextRetryAt = now + retryDelay(attempts, deps.baseMs, deps.maxMs);
      deps.log.error({ service, code: failure.code, reason: failure.message, issues: failure.issues, attempts, nextRetryAt: new Date(nextRetryAt).toISOString() }, 'bundle publish failed; the last good revision stays published; will retry');
      arm(service, nextRetryAt - now);
    },
    succeeded(service) {
      clearTimeout(timers.get(service));
      timers.delete(service);
    },
    async resume() {
      const pending = await listPendingPublishes(deps.store);
      for (const s of pending) arm(s.service, s.nextRetryAt === null ? 0 : s.nextRetryAt - deps.now());
      if (pending.length) deps.log.warn({ services: pending.map((s) => s.service) }, 'desired policy state not yet published at start; publishing');
    },
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
