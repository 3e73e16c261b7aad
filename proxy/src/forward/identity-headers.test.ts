import { describe, expect, it } from 'vitest';
import { encodeIdentityValue, identityHeaders } from './identity-headers.js';

describe('encodeIdentityValue', () => {
  it.each([
    ['alice', 'alice'],
    ['user@example.com', 'user@example.com'],
    ['svc:ci/runner', 'svc:ci/runner'],
    ['cn=ops,ou=groups,dc=example,dc=org', 'cn=ops%2Cou=groups%2Cdc=example%2Cdc=org'],
    ['a\r\nb', 'a%0D%0Ab'],
    ['100% real', '100%25%20real'],
    ['李雷', '%E6%9D%8E%E9%9B%B7'],
    ['josé', 'jos%C3%A9'],
    ['😀', '%F0%9F%98%80'],
    ['"q"\\', '%22q%22%5C'],
  ])('%j → %s, decoded back exactly', (value, encoded) => {
    expect(encodeIdentityValue(value)).toBe(encoded);
    expect(decodeURIComponent(encodeIdentityValue(value))).toBe(value);
    expect(encodeIdentityValue(value)).toMatch(/^[\x21-\x7e]*$/);
  });

  it('turns a lone surrogate into U+FFFD instead of failing', () => {
    expect(decodeURIComponent(encodeIdentityValue('a\ud800b'))).toBe('a\ufffdb');
  });
});

describe('identityHeaders', () => {
  it('joins encoded roles with "," and scopes with " "', () => {
    const h = identityHeaders({ id: 'a b', roles: ['x,y', 'z'], scopes: ['read all', 'write'], method: 'jwt', credentialId: 'demo' });
    expect(h).toEqual(['x-auth-subject', 'a%20b', 'x-auth-method', 'jwt', 'x-auth-roles', 'x%2Cy,z', 'x-auth-credential', 'demo', 'x-auth-scopes', 'read%20all write']);
  });
  it('omits X-Auth-Scopes without scopes', () => {
    expect(identityHeaders({ id: 'a', roles: [], scopes: [], method: 'api-key', credentialId: 'k' })).not.toContain('x-auth-scopes');
  });
});
