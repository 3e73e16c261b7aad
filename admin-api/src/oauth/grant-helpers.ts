/** Checks every grant shares: the client may use the grant, the scopes asked for, the audience (service) chosen. */
import { grantScopes, parseScope } from '@agentcore/policies';
import type { OAuthClientRecord, OAuthGrant } from '../store/oauth-clients-repo.js';
import { OAuthError } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';

/** unauthorized_client unless the client is allowed `grant`. */
export function requireGrant(client: OAuthClientRecord, grant: OAuthGrant): void {
  if (!client.grants.includes(grant)) throw new OAuthError('unauthorized_client', `this client may not use the ${grant} grant`);
}

/** The scopes to grant from the `scope` parameter, within `allowed`. */
export function requestedScopes(params: OAuthParams, allowed: readonly string[]): string[] {
  const parsed = parseScope(params.get('scope'));
  if (!parsed.ok) throw new OAuthError('invalid_scope', parsed.message);
  const granted = grantScopes(parsed.scopes, allowed);
  if (!granted.ok) throw new OAuthError('invalid_scope', `scope not allowed: ${granted.refused.join(' ').slice(0, 200)}`);
  return granted.scopes;
}

/**
 * The service the token is for: the `audience` parameter (or RFC 8707 `resource`), which must be one of
 * the client's audiences; the only one when the client has exactly one.
 */
export function chooseAudience(params: OAuthParams, client: OAuthClientRecord): string {
  const asked = params.get('audience') ?? params.get('resource');
  if (asked === undefined) {
    const only = client.audiences.length === 1 ? client.audiences[0] : undefined;
    if (only === undefined) throw new OAuthError('invalid_target', 'this client may get tokens for several services: name one in the audience parameter');
    return only;
  }
  if (!client.audiences.includes(asked)) throw new OAuthError('invalid_target', 'this client may not get tokens for that audience');
  return asked;
}

/** A required parameter. */
export function required(params: OAuthParams, name: string): string {
  const v = params.get(name);
  if (v === undefined) throw new OAuthError('invalid_request', `the ${name} parameter is required`);
  return v;
}
