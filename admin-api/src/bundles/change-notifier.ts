/**
 * Tells every admin-api replica that a service has a new bundle revision, so each wakes its own long-polls.
 * One replica: `createLocalNotifier` (in-process). Several on PostgreSQL: `createPostgresNotifier`.
 */
import { EventEmitter } from 'node:events';

/** Publishes and hears "service X now has revision N" across replicas. */
export interface ChangeNotifier {
  /** announces a new revision to every subscriber of every replica (this one included) */
  publish(service: string, revision: number): Promise<void>;
  /** hears announcements; returns the unsubscribe function */
  subscribe(fn: (service: string, revision: number) => void): () => void;
  close(): Promise<void>;
}

/** A notifier for a single process: an EventEmitter. */
export function createLocalNotifier(): ChangeNotifier {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async publish(service, revision) {
      emitter.emit('revision', service, revision);
    },
    subscribe(fn) {
      emitter.on('revision', fn);
      return () => emitter.off('revision', fn);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
