/**
 * Console sign-in with an external OIDC provider (oauth4webapi): authorization code + PKCE (S256),
 * `state` (single-use, stored hashed in the store so any replica can finish the login) and `nonce`;
 * the ID token's issuer, audience, signature, expiry and nonce are checked by oauth4webapi.
 * Groups from the configured claim map to admin roles; no mapped role → a clear refusal.
 */
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { AdminRole } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import type { Queryable } from '../store/queryable.js';
import { insertSsoLogin, takeSsoLogin } from '../store/sso-logins-repo.js';
import type { OidcConfig } from './oidc-config.js';
import { httpOptions } from './oidc-discovery.js';
import { mapGroups, strongestAdminRole } from './role-mapping.js';

/** A pending login lives this long (the user's time at the IdP). */
export const SSO_LOGIN_TTL_MS = 10 * 60_000;
/** At most this many pending logins (all providers): /start is public, so its rows are bounded. */
export const MAX_PENDING_SSO_LOGINS = 10_000;

const stateHash = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

/** Only a same-origin path may be a return target (no `//host`, no scheme). */
export const safeReturnPath = (p: string | undefined): string => (p && /^\/(?![/\\])[\x21-\x7e]*$/.test(p) ? p : '/');

/** Stores the PKCE verifier, nonce and return path under a fresh state, and gives the IdP URL to redirect to. */
export async function startOidcLogin(q: Queryable, providerId: string, cfg: OidcConfig, as: oauth.AuthorizationServer, redirectUri: string, returnTo: string, now: number, maxPending = MAX_PENDING_SSO_LOGINS): Promise<string> {
  if (!as.authorization_endpoint) throw new AdminError('ADMIN_SSO_PROVIDER_INVALID', `the provider "${providerId}" publishes no authorization endpoint`);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const stored = await insertSsoLogin(q, { state_hash: stateHash(state), provider: providerId, code_verifier: codeVerifier, nonce, return_to: safeReturnPath(returnTo), expires_at: now + SSO_LOGIN_TTL_MS }, now, maxPending);
  if (!stored) throw new AdminError('ADMIN_SSO_BUSY', 'too many sign-ins are in progress; try again in a few minutes', {}, { headers: { 'retry-after': '60' } });
  const url = new URL(as.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: cfg.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: cfg.scopes.join(' '),
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

/** Who signed in, as the IdP says, with the admin role their groups map to. */
export interface OidcIdentity {
  subject: string;
  username: string;
  groups: string[];
  role: AdminRole;
  returnTo: string;
}

const refused = (message: string, details: Record<string, unknown> = {}) => new AdminError('ADMIN_SSO_REFUSED', message, details);

function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const v = claims[claim];
  if (Array.isArray(v)) return v.filter((g): g is string => typeof g === 'string');
  return typeof v === 'string' ? [v] : [];
}

/** Finishes a login from the callback URL; throws a 401 AdminError (never a session) on any failed check. */
export async function finishOidcLogin(q: Queryable, providerId: string, cfg: OidcConfig, as: oauth.AuthorizationServer, redirectUri: string, callbackUrl: URL, now: number): Promise<OidcIdentity> {
  const state = callbackUrl.searchParams.get('state');
  if (!state) throw refused('the sign-in answer has no state; start the sign-in again');
  const pending = await takeSsoLogin(q, stateHash(state), providerId, now);
  if (!pending) throw refused('this sign-in is unknown, expired or already used; start the sign-in again');
  const client: oauth.Client = { client_id: cfg.clientId };
  const auth = cfg.clientSecret ? oauth.ClientSecretBasic(cfg.clientSecret) : oauth.None();
  let claims: oauth.IDToken;
  try {
    const params = oauth.validateAuthResponse(as, client, callbackUrl, state);
    const res = await oauth.authorizationCodeGrantRequest(as, client, auth, params, redirectUri, pending.code_verifier, httpOptions(cfg));
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: pending.nonce, requireIdToken: true });
    const c = oauth.getValidatedIdTokenClaims(tokens);
    if (!c) throw new Error('no ID token');
    claims = c;
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError || err instanceof oauth.ResponseBodyError) {
      throw refused(`the identity provider refused the sign-in: ${err.error}${err.error_description ? ` (${err.error_description})` : ''}`);
    }
    if (err instanceof oauth.OperationProcessingError) throw refused(`the sign-in answer failed a check: ${err.message}`, { check: err.code });
    throw new AdminError('ADMIN_SSO_PROVIDER_UNAVAILABLE', `the identity provider "${providerId}" is unavailable`, {}, { cause: err });
  }
  const username = claims[cfg.usernameClaim];
  if (typeof username !== 'string' || username === '') throw refused(`the ID token has no "${cfg.usernameClaim}" claim`);
  const groups = groupsOf(claims, cfg.groupsClaim);
  const role = strongestAdminRole(mapGroups(groups, cfg.mapping).adminRoles);
  if (!role) {
    throw new AdminError('ADMIN_SSO_NO_ROLE', `you signed in as "${username}", but none of your groups is mapped to a console role; ask an administrator to map one of them`, { username, groups });
  }
  return { subject: claims.sub, username, groups, role, returnTo: pending.return_to };
}
