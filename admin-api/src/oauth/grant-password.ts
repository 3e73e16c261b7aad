/**
 * The resource owner password grant (RFC 6749 §4.3): off unless the client is allowed it (OAuth 2.1 drops
 * it; the specification asks for it). The password verifiers are asked in order: the first that knows the
 * user decides; an unavailable provider makes the answer 503 only when no other one accepted.
 */
import { rolesForScopes } from '@agentcore/policies';
import type { ClientIdentity } from './client-authentication.js';
import { chooseAudience, required, requestedScopes, requireGrant } from './grant-helpers.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';
import type { PasswordVerifier, VerifiedUser } from './password-verifier.js';
import { issueTokens, type TokenResponse } from './token-issuer.js';

/** Who is asked, in order: the provider the router picks (with the name it gives), then the verifiers not already asked. */
async function candidates(ctx: OAuthContext, username: string): Promise<{ verifier: PasswordVerifier; username: string }[]> {
  const routed = ctx.route === undefined ? undefined : await ctx.route(username, ctx.defaultProvider);
  const rest = ctx.verifiers.filter((v) => v.id !== routed?.verifier.id).map((verifier) => ({ verifier, username }));
  return routed === undefined ? rest : [routed, ...rest];
}

/** Asks the verifiers in order (after the shared throttle's lockout/delay check); returns the user, or throws invalid_grant (429 when locked) / temporarily_unavailable. */
export async function verifyUser(ctx: OAuthContext, username: string, password: string, client: string): Promise<VerifiedUser> {
  const locked = await ctx.throttle.check(username, client, ctx.now());
  if (locked) throw new OAuthError('invalid_grant', `too many failed sign-ins; retry in ${locked.retryAfterSeconds} s`, 429, { 'retry-after': String(locked.retryAfterSeconds) });
  let unavailable = false;
  for (const c of await candidates(ctx, username)) {
    const r = await c.verifier.verifyPassword(c.username, password, AbortSignal.timeout(10_000));
    if (r.ok) {
      await ctx.throttle.recordSuccess(username);
      return r.user;
    }
    if (r.reason === 'ACCOUNT_DISABLED') break;
    if (r.reason === 'PROVIDER_UNAVAILABLE') unavailable = true;
  }
  if (unavailable) throw new OAuthError('temporarily_unavailable', 'an identity provider could not be reached; retry later', 503);
  await ctx.throttle.recordFailure(username, client, ctx.now());
  throw new OAuthError('invalid_grant', 'the username or password is wrong, or the account is disabled');
}

/** Issues tokens for a user's username and password. */
export async function passwordGrant(ctx: OAuthContext, who: ClientIdentity, params: OAuthParams, clientAddress: string): Promise<TokenResponse> {
  const { client } = who;
  requireGrant(client, 'password');
  if (who.method === 'none') throw new OAuthError('unauthorized_client', 'public clients cannot use the password grant');
  const username = required(params, 'username');
  const password = required(params, 'password');
  const scopes = requestedScopes(params, client.scopes);
  const audience = chooseAudience(params, client);
  const user = await verifyUser(ctx, username, password, clientAddress);
  const holder = { subject: user.subject, roles: user.roles, username: user.username, groups: user.groups, authTime: Math.floor(ctx.now() / 1000), ...(user.displayName === undefined ? {} : { displayName: user.displayName }), ...(user.email === undefined ? {} : { email: user.email }) };
  const roles = rolesForScopes(scopes, client.scopeRoles, user.roles);
  return issueTokens(ctx, ctx.store, { client, holder, audience, scopes, roles, refresh: client.grants.includes('refresh_token') });
}
