import { describe, expect, it } from 'vitest';
import { clientAddress, plainAddress } from './client-address.js';

describe('client address', () => {
  it.each([
    ['no trusted hops ignores X-Forwarded-For', '10.0.0.9', '6.6.6.6', 0, '10.0.0.9', '10.0.0.9'],
    ['one trusted hop takes the last entry', '10.0.0.2', '6.6.6.6, 1.2.3.4', 1, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
    ['two trusted hops', '10.0.0.2', '6.6.6.6, 1.2.3.4, 10.0.0.1', 2, '1.2.3.4', '1.2.3.4, 10.0.0.1, 10.0.0.2'],
    ['fewer entries than hops uses the leftmost', '10.0.0.2', '1.2.3.4', 3, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
    ['trusted hops but no header', '10.0.0.2', undefined, 1, '10.0.0.2', '10.0.0.2'],
    ['a non-IP entry in the trusted part: the chain is not believed', '10.0.0.2', '1.2.3.4, evil.example', 1, '10.0.0.2', '10.0.0.2'],
    ['an entry with a port is not an IP: not believed', '10.0.0.2', '1.2.3.4:80', 1, '10.0.0.2', '10.0.0.2'],
    ['a script in XFF is not believed', '10.0.0.2', '<script>', 1, '10.0.0.2', '10.0.0.2'],
    ['a non-IP entry left of the trusted part is dropped anyway', '10.0.0.2', 'junk, 1.2.3.4', 1, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
    ['IPv6 entries are believed', '10.0.0.2', '2001:db8::1', 1, '2001:db8::1', '2001:db8::1, 10.0.0.2'],
    ['empty entries skipped', '10.0.0.2', ' , 1.2.3.4 ,', 1, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
  ])('%s', (_n, sock, xff, hops, client, fwd) => {
    expect(clientAddress(sock, xff, hops)).toEqual({ client, forwardedFor: fwd });
  });
  it('strips IPv4-mapped prefixes', () => {
    expect(plainAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(plainAddress(undefined)).toBe('unknown');
  });
});
