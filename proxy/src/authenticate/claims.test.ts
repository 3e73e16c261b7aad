import { describe, it, expect } from 'vitest';
import { compileClaimPath, readClaim, readClaimList, readClaimString } from './claims.js';

describe('readClaimList', () => {
  const payload = {
    roles: ['a', 'b'],
    scope: ' read  write ',
    realm_access: { roles: ['admin'] },
    'https://example.com/roles': ['ns'],
    mixed: ['a', 1],
    number: 3,
    nested: { deeper: { list: 'x y' } },
    empty: '',
  };
  const cases: [string, readonly string[]][] = [
    ['roles', ['a', 'b']],
    ['scope', ['read', 'write']],
    ['realm_access.roles', ['admin']],
    ['https://example.com/roles', ['ns']],
    ['nested.deeper.list', ['x', 'y']],
    ['mixed', []],
    ['number', []],
    ['missing', []],
    ['realm_access.missing', []],
    ['empty', []],
    ['__proto__', []],
    ['constructor.name', []],
  ];
  for (const [path, expected] of cases) {
    it(`${path} → ${JSON.stringify(expected)}`, () => {
      expect(readClaimList(payload, path)).toEqual(expected);
      expect(readClaimList(payload, compileClaimPath(path))).toEqual(expected);
    });
  }
  it('gives [] for a non-object payload', () => {
    expect(readClaimList('roles', 'roles')).toEqual([]);
    expect(readClaim(null, 'a')).toBeUndefined();
  });
  it('returns a copy, not the payload array', () => {
    expect(readClaimList(payload, 'roles')).not.toBe(payload.roles);
  });
});

describe('readClaimString', () => {
  it.each([
    [{ sub: 'u' }, 'sub', 'u'],
    [{ sub: '' }, 'sub', undefined],
    [{ sub: 1 }, 'sub', undefined],
    [{ a: { b: 'c' } }, 'a.b', 'c'],
  ])('%j %s → %s', (payload, path, expected) => {
    expect(readClaimString(payload, path)).toBe(expected);
  });
});
