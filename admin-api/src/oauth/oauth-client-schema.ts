/** The API shapes of OAuth clients: create, patch, view; and the cross-field rules of a client's settings. */
import { Identifier, ServiceName, redirectUriProblem } from '@agentcore/policies';
import { z } from 'zod';
import { invalidInput } from '../errors.js';
import { OAUTH_GRANTS, type OAuthClientRecord, type OAuthClientSettings } from '../store/oauth-clients-repo.js';
import { MAX_ACCESS_TOKEN_SECONDS } from './oauth-context.js';

const Scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/, 'must be an RFC 6749 scope-token');
const Settings = {
  description: z.string().max(500).nullable(),
  grants: z.array(z.enum(OAUTH_GRANTS)).min(1).max(5),
  redirectUris: z.array(z.string()).max(20).describe('compared exactly (RFC 9700 §4.1.3)'),
  scopes: z.array(Scope).max(100),
  scopeRoles: z.record(Scope, z.array(z.string().min(1).max(64)).max(50)).describe('scope → bundle roles carried by tokens granted that scope'),
  audiences: z.array(ServiceName).min(1).max(50).describe('services this client may get tokens for (the token `aud`)'),
  accessTokenTtlSeconds: z.int().min(30).max(MAX_ACCESS_TOKEN_SECONDS).nullable().describe('default from settings'),
  refreshTokenTtlSeconds: z.int().min(60).max(90 * 86400).nullable(),
};

/** POST /api/v1/oauth-clients body. */
export const NewOAuthClient = z.strictObject({
  id: Identifier,
  name: z.string().min(1).max(200),
  type: z.enum(['confidential', 'public']),
  description: Settings.description.default(null),
  grants: Settings.grants,
  redirectUris: Settings.redirectUris.default([]),
  scopes: Settings.scopes.default([]),
  scopeRoles: Settings.scopeRoles.default({}),
  audiences: Settings.audiences,
  accessTokenTtlSeconds: Settings.accessTokenTtlSeconds.default(null),
  refreshTokenTtlSeconds: Settings.refreshTokenTtlSeconds.default(null),
});

/** PATCH body: any of the settings, the name, or `disabled`. */
export const OAuthClientPatch = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  disabled: z.boolean().optional(),
  description: Settings.description.optional(),
  grants: Settings.grants.optional(),
  redirectUris: Settings.redirectUris.optional(),
  scopes: Settings.scopes.optional(),
  scopeRoles: Settings.scopeRoles.optional(),
  audiences: Settings.audiences.optional(),
  accessTokenTtlSeconds: Settings.accessTokenTtlSeconds.optional(),
  refreshTokenTtlSeconds: Settings.refreshTokenTtlSeconds.optional(),
});

/** A client as the API shows it (never the secret or its hash). */
export const OAuthClientView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['confidential', 'public']),
  ...Settings,
  secretPrefix: z.string().nullable().describe('first characters of the secret, for recognising it'),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});

/** Refuses settings that cannot work together (RFC 9700: public clients get no secret-based grants). */
export function checkClientSettings(type: 'confidential' | 'public', s: OAuthClientSettings): void {
  const fields: { path: string; message: string }[] = [];
  s.redirectUris.forEach((u, i) => {
    const p = redirectUriProblem(u);
    if (p) fields.push({ path: `body.redirectUris.${i}`, message: p });
  });
  if (s.grants.includes('authorization_code') && s.redirectUris.length === 0) fields.push({ path: 'body.redirectUris', message: 'the authorization_code grant needs at least one redirect URI' });
  if (type === 'public') {
    for (const g of ['client_credentials', 'password'] as const) if (s.grants.includes(g)) fields.push({ path: 'body.grants', message: `a public client cannot use ${g} (it has no secret)` });
  }
  for (const scope of Object.keys(s.scopeRoles)) if (!s.scopes.includes(scope)) fields.push({ path: `body.scopeRoles.${scope}`, message: 'maps a scope the client does not have' });
  if (fields.length > 0) throw invalidInput('invalid OAuth client', fields);
}

/** The public fields, one by one so the hash can never slip in. */
export function clientView(c: OAuthClientRecord, iso: (ms: number) => string): z.infer<typeof OAuthClientView> {
  return {
    id: c.id, name: c.name, type: c.type, description: c.description, grants: c.grants, redirectUris: c.redirectUris, scopes: c.scopes, scopeRoles: c.scopeRoles,
    audiences: c.audiences, accessTokenTtlSeconds: c.accessTokenTtlSeconds, refreshTokenTtlSeconds: c.refreshTokenTtlSeconds, secretPrefix: c.secretPrefix,
    disabled: c.disabled, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt), version: c.version,
  };
}
