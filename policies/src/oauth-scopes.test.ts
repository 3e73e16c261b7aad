import { describe, expect, it } from 'vitest';
import { grantScopes, parseScope, rolesForScopes } from './oauth-scopes.js';

describe('scopes', () => {
  it.each([
    [undefined, { ok: true, scopes: [] }],
    ['a b  a', { ok: true, scopes: ['a', 'b'] }],
    ['agents:read openid', { ok: true, scopes: ['agents:read', 'openid'] }],
  ])('parses %s', (v, want) => expect(parseScope(v)).toEqual(want));
  it('refuses quotes and backslashes', () => {
    expect(parseScope('a "b"').ok).toBe(false);
    expect(parseScope('a\\b').ok).toBe(false);
    expect(parseScope('x'.repeat(5000)).ok).toBe(false);
  });
  it('grants a subset, all when none requested, refuses widening', () => {
    expect(grantScopes([], ['a', 'b'])).toEqual({ ok: true, scopes: ['a', 'b'] });
    expect(grantScopes(['b'], ['a', 'b'])).toEqual({ ok: true, scopes: ['b'] });
    expect(grantScopes(['b', 'c'], ['a', 'b'])).toEqual({ ok: false, refused: ['c'] });
  });
  it('maps scopes to roles, limited to the holder', () => {
    const map = { read: ['viewer'], write: ['operator', 'viewer'], constructor: ['x'] };
    expect(rolesForScopes(['read', 'write'], map).sort()).toEqual(['operator', 'viewer']);
    expect(rolesForScopes(['write'], map, ['viewer'])).toEqual(['viewer']);
    expect(rolesForScopes(['unknown', 'toString'], map)).toEqual([]);
  });
});
