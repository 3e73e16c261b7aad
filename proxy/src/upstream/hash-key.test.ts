import { describe, expect, it } from 'vitest';
import { cookieValue, hashKeyExtractor, type HashOn } from './hash-key.js';

const req = { headers: { 'x-tenant': 'acme', cookie: 'a=1; session=abc; b=2', multi: ['x', 'y'] }, clientAddress: '10.0.0.7', principalId: 'alice' };

describe('hash key', () => {
  it.each<[string, HashOn | undefined, string | undefined]>([
    ['no hashOn', undefined, undefined],
    ['header (case-insensitive name)', { type: 'header', name: 'X-Tenant' }, 'acme'],
    ['missing header', { type: 'header', name: 'x-none' }, undefined],
    ['repeated header joined', { type: 'header', name: 'multi' }, 'x,y'],
    ['cookie', { type: 'cookie', name: 'session' }, 'abc'],
    ['missing cookie', { type: 'cookie', name: 'sess' }, undefined],
    ['client address', { type: 'client-address' }, '10.0.0.7'],
    ['principal', { type: 'principal' }, 'alice'],
  ])('%s', (_n, hashOn, expected) => {
    expect(hashKeyExtractor(hashOn)(req)).toBe(expected);
  });

  it('anonymous request has no principal key', () => {
    expect(hashKeyExtractor({ type: 'principal' })({ headers: {}, clientAddress: 'x' })).toBeUndefined();
  });

  it.each([
    [undefined, 'a', undefined],
    ['a=1', 'a', '1'],
    ['ab=1; a=2', 'a', '2'],
    ['a=1;b=2', 'b', '2'],
    ['  a = ; b=2', 'a', undefined],
    ['x=1; a=', 'a', undefined],
    ['flag; a=3', 'a', '3'],
    ['a=x=y', 'a', 'x=y'],
  ])('cookieValue(%j, %s) = %s', (header, name, expected) => {
    expect(cookieValue(header, name)).toBe(expected);
  });
});
