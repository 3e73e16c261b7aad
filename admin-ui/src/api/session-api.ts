/** Sign-in, who-am-I and sign-out (`/api/v1/session`); keeps the CSRF token for the client. */
import { queryOptions } from '@tanstack/react-query';
import { ApiError } from './api-error';
import { api, setCsrfToken, unwrap } from './client';
import type { AdminSessionWire } from './types';

export type AdminRole = 'owner' | 'security-admin' | 'platform-engineer' | 'auditor';

/** The signed-in admin, as the console uses it. */
export interface AdminSession {
  username: string;
  role: AdminRole;
  expiresAt: string | undefined;
}

function toSession(wire: AdminSessionWire): AdminSession {
  setCsrfToken(wire.csrfToken);
  return { username: wire.username, role: wire.role, expiresAt: wire.expiresAt };
}

/** The current admin, or null when not signed in (401). */
export async function fetchSession(): Promise<AdminSession | null> {
  try {
    return toSession(await unwrap(api.GET('/api/v1/session')));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw e;
  }
}

/** Signs in with a local username and password. */
export async function signIn(username: string, password: string): Promise<AdminSession> {
  return toSession(await unwrap(api.POST('/api/v1/session', { body: { username, password } })));
}

/** Ends the session (the cookie is cleared by the API). */
export async function signOut(): Promise<void> {
  await unwrap(api.DELETE('/api/v1/session'));
  setCsrfToken(undefined);
}

/** Query of the current session. */
export const sessionQuery = queryOptions({ queryKey: ['session'], queryFn: fetchSession, staleTime: 60_000, retry: false });

/** A single-sign-on provider the API offers ("Sign in with …"). */
export interface SsoProvider {
  id: string;
  label: string;
  /** where the browser goes to start the login */
  startUrl: string;
}

/** The enabled OIDC providers (`GET /api/v1/sso/providers`); the sign-in page shows a "Sign in with …" button for each. */
export const ssoProvidersQuery = queryOptions({
  queryKey: ['session', 'sso-providers'],
  queryFn: async (): Promise<SsoProvider[]> => (await unwrap(api.GET('/api/v1/sso/providers'))).items.map((p) => ({ id: p.id, label: p.displayName, startUrl: p.startUrl })),
  staleTime: 60_000,
});
