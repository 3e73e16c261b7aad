import { describe, expect, it } from 'vitest';
import { buildAccessTokenClaims } from './oauth-access-token-claims.js';

describe('buildAccessTokenClaims', () => {
  const base = { issuer: 'https://cp', subject: 'c1', audience: 'agents', clientId: 'c1', roles: ['viewer'], issuedAt: 1000, lifetimeSeconds: 300, jti: 'j1' };
  it('builds the RFC 9068 claims', () => {
    expect(buildAccessTokenClaims({ ...base, scopes: ['a', 'b'] })).toEqual({ iss: 'https://cp', sub: 'c1', aud: 'agents', exp: 1300, iat: 1000, jti: 'j1', client_id: 'c1', scope: 'a b', roles: ['viewer'] });
  });
  it('omits an empty scope and adds user claims', () => {
    const c = buildAccessTokenClaims({ ...base, scopes: [], authTime: 990, groups: ['g'] });
    expect(c.scope).toBeUndefined();
    expect(c).toMatchObject({ auth_time: 990, groups: ['g'] });
  });
});
