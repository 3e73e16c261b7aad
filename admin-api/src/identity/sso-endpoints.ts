/**
 * Console single sign-on: `GET /api/v1/sso/providers` (the sign-in buttons), `GET /api/v1/sso/{provider}/start`
 * (redirect to the IdP) and `GET /api/v1/sso/{provider}/callback` (code → ID token → the same session
 * cookie the password login sets, then a redirect back into the console).
 * A refusal answers a browser navigation (Accept: text/html) with a redirect to the console's sign-in page,
 * `/sign-in?sso_error=<CODE>` (NO_ROLE, REFUSED, ACCOUNT_DISABLED, PROVIDER_UNAVAILABLE, UNKNOWN_PROVIDER, BUSY …), and
 * API clients with the spec's JSON error.
 */
import type { Request } from 'express';
import type * as oauth from 'oauth4webapi';
import { z } from 'zod';
import { clientAddress } from '../auth/auth-context.js';
import { AdminError } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import type { KeyRing } from '../secrets/envelope.js';
import { appendAuditEvent, StoreError, type Store } from '../store/index.js';
import { getIdentityProvider, listIdentityProviders, notFoundAsUndefined, type IdentityProviderRow } from '../store/identity-providers-repo.js';
import { finishOidcLogin, startOidcLogin } from './oidc-login.js';
import type { OidcConfig } from './oidc-config.js';
import { discover } from './oidc-discovery.js';
import { oidcConfigOf } from './provider-runtime.js';
import { createSsoSession } from './sso-session.js';

export interface SsoDeps {
  store: Store;
  keyRing: KeyRing | undefined;
  /** the admin API's external base URL (`--public-url`); redirect URIs are built from it, never from request headers */
  publicUrl: () => string;
  sessionTtlMs: number;
  secureCookies: boolean;
  now?: () => number;
}

const Params = z.object({ provider: z.string().min(1).max(64) });
const METADATA_TTL_MS = 10 * 60_000;
const tags = ['auth'];

type Resolve = (id: string) => Promise<{ row: IdentityProviderRow; cfg: OidcConfig; as: oauth.AuthorizationServer; redirectUri: string }>;

/** Finds an enabled OIDC provider and its (cached) metadata; 404 / 503 otherwise. */
function resolver(d: SsoDeps): Resolve {
  const now = d.now ?? Date.now;
  const metadata = new Map<string, { version: number; at: number; as: oauth.AuthorizationServer }>();

  return async (id) => {
    const row = await getIdentityProvider(d.store, id).catch(notFoundAsUndefined);
    if (!row || row.type !== 'oidc' || row.enabled !== 1) throw new AdminError('ADMIN_SSO_UNKNOWN_PROVIDER', `no enabled single sign-on provider "${id}"`);
    const cfg = oidcConfigOf(row, d.keyRing);
    let m = metadata.get(id);
    if (!m || m.version !== Number(row.version) || now() - m.at > METADATA_TTL_MS) {
      try {
        m = { version: Number(row.version), at: now(), as: await discover(cfg) };
      } catch (err) {
        throw new AdminError('ADMIN_SSO_PROVIDER_UNAVAILABLE', `the identity provider "${id}" is unavailable (discovery failed)`, {}, { cause: err });
      }
      metadata.set(id, m);
    }
    return { row, cfg, as: m.as, redirectUri: `${d.publicUrl().replace(/\/$/, '')}/api/v1/sso/${encodeURIComponent(id)}/callback` };
  };

}

/** Where the console's sign-in page shows SSO refusals. */
export const CONSOLE_SIGN_IN = '/sign-in';

/** The short code of a refusal for the console (`ADMIN_SSO_NO_ROLE` → `NO_ROLE`). */
export const ssoErrorCode = (code: string): string => code.replace(/^ADMIN_(SSO_)?/, '');

/**
 * For a browser navigation (it prefers text/html to JSON), the redirect that shows a refusal on the console's
 * sign-in page; undefined for API clients (they get the JSON error) and for unexpected errors (a 500 is logged).
 */
function browserRefusal(req: Request, err: unknown): { status: 302; headers: Record<string, string> } | undefined {
  if (!(err instanceof AdminError || err instanceof StoreError)) return undefined;
  if (req.accepts(['application/json', 'text/html']) !== 'text/html') return undefined;
  return { status: 302, headers: { location: `${CONSOLE_SIGN_IN}?sso_error=${encodeURIComponent(ssoErrorCode(err.code))}`, 'cache-control': 'no-store' } };
}

function providersEndpoint(d: SsoDeps) {
  return endpoint({
    method: 'get',
    path: '/api/v1/sso/providers',
    operationId: 'listSsoProviders',
    summary: 'The single sign-on providers the console offers ("Sign in with …")',
    tags,
    access: 'public',
    responses: { 200: { description: 'enabled OIDC providers', schema: z.object({ items: z.array(z.object({ id: z.string(), displayName: z.string(), startUrl: z.string() })) }) } },
    async handler() {
      const rows = (await listIdentityProviders(d.store)).filter((r) => r.type === 'oidc' && r.enabled === 1);
      return { body: { items: rows.map((r) => ({ id: r.id, displayName: r.display_name, startUrl: `/api/v1/sso/${encodeURIComponent(r.id)}/start` })) } };
    },
  });
}

function startEndpoint(d: SsoDeps, resolve: Resolve) {
  return endpoint({
    method: 'get',
    path: '/api/v1/sso/{provider}/start',
    operationId: 'startSso',
    summary: 'Start a console sign-in at an OIDC provider (302 to the provider)',
    tags,
    access: 'public',
    params: Params,
    query: z.object({ returnTo: z.string().max(2048).optional().describe('a console path to land on afterwards') }),
    responses: { 302: { description: 'redirect to the provider (or, for a browser, to /sign-in?sso_error=<CODE> on a refusal)' }, 404: { description: 'no such enabled provider' }, 503: { description: 'provider unavailable' } },
    async handler({ req, params, query }) {
      try {
        const p = await resolve(params.provider);
        const location = await startOidcLogin(d.store, p.row.id, p.cfg, p.as, p.redirectUri, query.returnTo ?? '/', (d.now ?? Date.now)());
        return { status: 302, headers: { location, 'cache-control': 'no-store' } };
      } catch (err) {
        const redirect = browserRefusal(req, err);
        if (redirect) return redirect;
        throw err;
      }
    },
  });
}

function callbackEndpoint(d: SsoDeps, resolve: Resolve) {
  return endpoint({
    method: 'get',
    path: '/api/v1/sso/{provider}/callback',
    operationId: 'finishSso',
    summary: 'The OIDC redirect URI: checks the answer, sets the session cookie, redirects into the console',
    description: 'Refusals (bad state, replayed answer, wrong audience or nonce, no mapped console role) set no cookie. A browser navigation (Accept: text/html) is redirected to the console sign-in page `/sign-in?sso_error=<CODE>` (e.g. NO_ROLE, REFUSED); API clients get 401/403/503 in the error format.',
    tags,
    access: 'public',
    params: Params,
    responses: { 302: { description: 'signed in; agentcore_session cookie set' }, 401: { description: 'a check failed' }, 403: { description: 'no console role mapped' } },
    async handler({ req, res, params }) {
      const t = (d.now ?? Date.now)();
      const client = clientAddress(req);
      try {
        const p = await resolve(params.provider);
        const who = await finishOidcLogin(d.store, p.row.id, p.cfg, p.as, p.redirectUri, new URL(req.originalUrl, d.publicUrl()), t);
        const s = await createSsoSession(d.store, { provider: p.row.id, username: who.username, subject: who.subject, role: who.role, groups: who.groups }, { now: t, sessionTtlMs: d.sessionTtlMs, secureCookies: d.secureCookies, client });
        res.append('set-cookie', s.cookie);
        return { status: 302, headers: { location: who.returnTo, 'cache-control': 'no-store' } };
      } catch (err) {
        if (err instanceof AdminError) {
          const details = { provider: params.provider, client, code: err.code, ...(err.code === 'ADMIN_SSO_NO_ROLE' ? err.details : {}) };
          await appendAuditEvent(d.store, { at: t, actor: 'anonymous', action: 'GET /api/v1/sso/{provider}/callback', resourceType: 'endpoint', resourceId: req.path, after: { reason: err.code, ...details }, outcome: 'denied' }).catch(() => undefined);
        }
        const redirect = browserRefusal(req, err);
        if (redirect) return redirect;
        throw err;
      }
    },
  });
}

/** The SSO endpoints. */
export function ssoEndpoints(d: SsoDeps): EndpointSpec<never, never, never>[] {
  const resolve = resolver(d);
  return [providersEndpoint(d), startEndpoint(d, resolve), callbackEndpoint(d, resolve)] as EndpointSpec<never, never, never>[];
}
