/**
 * The password grant's seam for the identity providers (#13): a router picks the provider and the name to give it
 * (`alice@corp.example` → the directory, as `alice`); the local users are asked after it, never twice.
 * Verifiers here are in-memory PasswordVerifiers (the LDAP one is tested against slapd on the identity branch).
 */
import { describe, expect, it } from 'vitest';
import { createSharedLoginThrottle } from '../identity/shared-login-throttle.js';
import { verifyUser } from './grant-password.js';
import type { OAuthContext } from './oauth-context.js';
import type { PasswordCheck, PasswordRouter, PasswordVerifier } from './password-verifier.js';

function verifier(id: string, users: Record<string, string>, calls: string[]): PasswordVerifier {
  return {
    id,
    async verifyPassword(username, password): Promise<PasswordCheck> {
      calls.push(`${id}:${username}`);
      if (users[username] !== password) return { ok: false, reason: 'INVALID_CREDENTIALS', message: 'wrong' };
      return { ok: true, user: { subject: `${id}|${username}`, username, groups: [], roles: [id === 'corp' ? 'operator' : 'viewer'], adminRoles: [], provider: id } };
    },
  };
}

function context(route?: PasswordRouter, defaultProvider?: string): { ctx: OAuthContext; calls: string[] } {
  const calls: string[] = [];
  const local = verifier('local', { root: 'pw-local' }, calls);
  const ctx = { now: () => Date.now(), throttle: createSharedLoginThrottle({ recent: async () => [], add: async () => {}, clear: async () => {} }), verifiers: [local], ...(route ? { route } : {}), ...(defaultProvider ? { defaultProvider } : {}) } as unknown as OAuthContext;
  return { ctx, calls };
}

describe('verifyUser with a provider router', () => {
  it('asks the routed provider with the name it gives, then no one else', async () => {
    const seen: (string | undefined)[] = [];
    const picked: { corp?: PasswordVerifier } = {};
    const route: PasswordRouter = async (username, def) => {
      seen.push(def);
      const at = username.lastIndexOf('@');
      return at > 0 && username.slice(at + 1) === 'corp.example' ? { verifier: picked.corp!, username: username.slice(0, at) } : undefined;
    };
    const { ctx, calls } = context(route, 'corp');
    picked.corp = verifier('corp', { alice: 'pw-alice' }, calls);
    const user = await verifyUser(ctx, 'alice@corp.example', 'pw-alice', '127.0.0.1');
    expect(user).toMatchObject({ subject: 'corp|alice', provider: 'corp', roles: ['operator'] });
    expect(calls).toEqual(['corp:alice']);
    expect(seen).toEqual(['corp']);
  });

  it('falls back to the local users when the router claims no provider, and refuses a wrong password', async () => {
    const { ctx, calls } = context(async () => undefined);
    expect(await verifyUser(ctx, 'root', 'pw-local', '127.0.0.1')).toMatchObject({ provider: 'local' });
    await expect(verifyUser(ctx, 'root', 'nope', '127.0.0.1')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(calls).toEqual(['local:root', 'local:root']);
  });

  it('does not ask the local users twice when the router picks them', async () => {
    const { ctx, calls } = context(async (username) => ({ verifier: ctx.verifiers[0]!, username }), 'local');
    await expect(verifyUser(ctx, 'ghost', 'x', '127.0.0.1')).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(calls).toEqual(['local:ghost']);
  });
});
