/**
 * Who the client is, from the socket and — only for a configured number of trusted proxies in
 * front of the sidecar — from `X-Forwarded-For`. Anything else a client sends about itself is ignored.
 */
import { isIP } from 'node:net';

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
 * An entry our own proxies write is a bare IP address; anything else (a name, a port, garbage) means the chain
 * was not written by them as configured, so none of it is believed (issue #9, finding 8).
 */
const isBareIp = (s: string): boolean => isIP(s) !== 0;

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
  if (!kept.every(isBareIp)) return { client: socketAddress, forwardedFor: socketAddress };
  const client = kept[0] ?? socketAddress;
  kept.push(socketAddress);
  return { client, forwardedFor: kept.join(', ') };
}
