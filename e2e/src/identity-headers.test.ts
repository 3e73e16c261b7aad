import { describe, expect, it } from 'vitest';
import { decodeIdentity } from './identity-headers.js';

describe('decodeIdentity', () => {
  it('reads an LDAP DN role as one role and a non-ASCII subject exactly', () => {
    const id = decodeIdentity({
      'x-auth-subject': '%E6%9D%8E%E9%9B%B7',
      'x-auth-method': 'jwt',
      'x-auth-roles': 'cn=ops%2Cou=groups%2Cdc=example%2Cdc=org,viewer',
      'x-auth-scopes': 'read%20all write',
      'x-auth-credential': 'demo-issuer',
    });
    expect(id).toEqual({ subject: '李雷', method: 'jwt', roles: ['cn=ops,ou=groups,dc=example,dc=org', 'viewer'], scopes: ['read all', 'write'], credential: 'demo-issuer' });
  });
  it('gives undefined without a subject and empty lists without roles', () => {
    expect(decodeIdentity({})).toBeUndefined();
    expect(decodeIdentity({ 'x-auth-subject': 'a', 'x-auth-roles': '' })?.roles).toEqual([]);
  });
});
