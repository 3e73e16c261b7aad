/** The result of one try against one target, as the forwarding stage reports it. */

/**
 * `status`: the upstream answered with response headers. `error`: it did not —
 * `connect` (refused / connect timeout: nothing reached the backend), `timeout` (no response
 * headers within the per-try timeout), `reset` (connection dropped), `other` (malformed response…).
 * Neither (e.g. the client went away first): neutral, counted nowhere.
 */
export interface TryOutcome {
  status?: number | undefined;
  error?: 'connect' | 'timeout' | 'reset' | 'other' | undefined;
}

/** A try that says the target is failing: a 5xx or any transport error. */
export function isFailedTry(o: TryOutcome): boolean {
  return o.error !== undefined || (o.status !== undefined && o.status >= 500);
}
