/**
 * Who the client is, from the socket and — only for a configured number of trusted proxies in
 * front of the sidecar — from `X-Forwarded-For`. Anything else a client sends about itself is ignored.
 */

/** Strips the IPv4-mapped IPv6 prefix. */
export function plainAddress(addr: string | undefined): string {
  if (!addr) return 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export interface ClientAddress {
  /** the address used for limits and logs */
  client: string;
  /** the `X-Forwarded-For` value to send upstream */
  forwardedFor: string;
}

/**
 * With `trustedHops` = N, the last N entries of `X-Forwarded-For` were written by our own proxies:
 * the client is the N-th entry from the right; entries left of it are client-supplied and dropped.
 */
export function clientAddress(socketAddress: string, xff: string | string[] | undefined, trustedHops: number): ClientAddress {
  if (trustedHops === 0 || xff === undefined) return { client: socketAddress, forwardedFor: socketAddress };
  const joined = typeof xff === 'string' ? xff : xff.join(',');
  const chain = joined
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const kept = chain.slice(Math.max(0, chain.length - trustedHops));
  const client = kept[0] ?? socketAddress;
  kept.push(socketAddress);
  return { client, forwardedFor: kept.join(', ') };
}
