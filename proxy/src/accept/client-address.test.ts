import { describe, expect, it } from 'vitest';
import { clientAddress, plainAddress } from './client-address.js';

describe('client address', () => {
  it.each([
    ['no trusted hops ignores X-Forwarded-For', '10.0.0.9', '6.6.6.6', 0, '10.0.0.9', '10.0.0.9'],
    ['one trusted hop takes the last entry', '10.0.0.2', '6.6.6.6, 1.2.3.4', 1, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
    ['two trusted hops', '10.0.0.2', '6.6.6.6, 1.2.3.4, 10.0.0.1', 2, '1.2.3.4', '1.2.3.4, 10.0.0.1, 10.0.0.2'],
    ['fewer entries than hops uses the leftmost', '10.0.0.2', '1.2.3.4', 3, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
    ['trusted hops but no header', '10.0.0.2', undefined, 1, '10.0.0.2', '10.0.0.2'],
    ['empty entries skipped', '10.0.0.2', ' , 1.2.3.4 ,', 1, '1.2.3.4', '1.2.3.4, 10.0.0.2'],
  ])('%s', (_n, sock, xff, hops, client, fwd) => {
    expect(clientAddress(sock, xff, hops)).toEqual({ client, forwardedFor: fwd });
  });
  it('strips IPv4-mapped prefixes', () => {
    expect(plainAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(plainAddress(undefined)).toBe('unknown');
  });
});
