/**
 * In-process signal "a sidecar credential of service S was revoked": the bundle long-polls of S waiting on this
 * replica end at once and re-check their credential (→ 401). On other replicas a waiting long-poll re-checks its
 * credential when it wakes (next revision or timeout), so a revoked credential never receives a bundle.
 */
import { EventEmitter } from 'node:events';

export interface CredentialRevocations {
  /** announces a revocation for `service` */
  revoked(service: string): void;
  /** calls `listener` on every revocation for `service`; returns the unsubscribe function */
  onRevoked(service: string, listener: () => void): () => void;
}

/** Creates the signal (no listener limit: one listener per waiting long-poll). */
export function createCredentialRevocations(): CredentialRevocations {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  return {
    revoked: (service) => void events.emit(service),
    onRevoked(service, listener) {
      events.on(service, listener);
      return () => void events.off(service, listener);
    },
  };
}
