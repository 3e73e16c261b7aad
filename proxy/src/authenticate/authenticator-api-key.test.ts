import { describe, it, expect } from 'vitest';
import { Authentication } from '@agentcore/policies';
import { createApiKeyAuthenticator, hashApiKey } from './authenticator-api-key.js';

const NOW = Date.parse('2025-06-01T00:00:00Z');

const auth = Authentication.parse({
  apiKeys: [
    { id: 'good', sha256: hashApiKey('ak_good'), principal: 'svc-good', roles: ['reader'], scopes: ['orders:read'], expiresAt: '2026-01-01T00:00:00Z' },
    { id: 'disabled', sha256: hashApiKey('ak_disabled'), principal: 'svc-x', disabled: true },
    { id: 'expired', sha256: hashApiKey('ak_expired'), principal: 'svc-x', expiresAt: '2025-01-01T00:00:00Z' },
    { id: 'future', sha256: hashApiKey('ak_future'), principal: 'svc-x', notBefore: '2025-07-01T00:00:00Z' },
    { id: 'revoked', sha256: hashApiKey('ak_revoked'), principal: 'svc-x', disabled: true, revokedAt: '2025-05-30T00:00:00Z' },
  ],
});

describe('API key authenticator', () => {
  const a = createApiKeyAuthenticator(auth.apiKeys);

  it('accepts a known key with its principal', () => {
    expect(a.authenticate('ak_good', NOW)).toEqual({
      ok: true,
      principal: { id: 'svc-good', roles: ['reader'], scopes: ['orders:read'], method: 'api-key', credentialId: 'good', expiresAt: Date.parse('2026-01-01T00:00:00Z') },
    });
  });

  it('returns the same prebuilt outcome every time (nothing allocated per request)', () => {
    expect(a.authenticate('ak_good', NOW)).toBe(a.authenticate('ak_good', NOW));
  });

  it.each([
    ['ak_unknown', 'UNKNOWN_API_KEY'],
    ['ak_goo', 'UNKNOWN_API_KEY'],
    ['ak_disabled', 'API_KEY_DISABLED'],
    ['ak_expired', 'API_KEY_EXPIRED'],
    ['ak_future', 'API_KEY_NOT_YET_VALID'],
    ['ak_revoked', 'API_KEY_REVOKED'],
  ])('%s → %s', (key, reason) => {
    const r = a.authenticate(key, NOW);
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
    if (!r.ok) expect(r.message).not.toContain(key);
  });

  it('checks validity bounds against the given time', () => {
    expect(a.authenticate('ak_future', Date.parse('2025-07-01T00:00:00Z')).ok).toBe(true);
    expect(a.authenticate('ak_good', Date.parse('2026-01-01T00:00:00Z')).ok).toBe(false);
  });

  it('refuses two keys with the same hash at build time', () => {
    const dup = Authentication.parse({
      apiKeys: [
        { id: 'a', sha256: hashApiKey('x'), principal: 'p' },
        { id: 'b', sha256: hashApiKey('x'), principal: 'p' },
      ],
    });
    expect(() => createApiKeyAuthenticator(dup.apiKeys)).toThrow(/same sha256/);
  });
});
