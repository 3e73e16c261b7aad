/** Ends a long-lived event connection when the credential it was opened with expires. */

/** A subscriber principal, with when its credential stops being valid (ms since epoch), if known. */
export interface SubscriberPrincipal {
  id: string;
  roles: readonly string[];
  expiresAt?: number | undefined;
}

/** The longest delay `setTimeout` accepts. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls `onExpired` at `expiresAt` (at once if past); returns the cancel function. No `expiresAt`: never. */
export function watchCredentialExpiry(principal: SubscriberPrincipal, now: number, onExpired: () => void): () => void {
  if (principal.expiresAt === undefined) return () => undefined;
  const delay = principal.expiresAt - now;
  if (delay > MAX_DELAY_MS) return () => undefined;
  const timer = setTimeout(onExpired, Math.max(0, delay));
  timer.unref();
  return () => clearTimeout(timer);
}

/** The message a subscriber gets when its credential expires. */
export function expiredMessage(expiresAt: number): string {
  return `the credential expired at ${new Date(expiresAt).toISOString()}; reconnect with a fresh one and resume from your last event id`;
}
