/**
 * The identity-provider resource as the API sees it: `{id, type, displayName, enabled, config}`, with
 * the secret fields (LDAP `bindPassword`, OIDC `clientSecret`) write-only: split off before storing
 * (encrypted) and never returned — reads show `secretSet` instead.
 */
import { Identifier } from '@agentcore/policies';
import { z } from 'zod';
import { LdapConfig } from './ldap-config.js';
import { OidcConfig } from './oidc-config.js';
import { RoleMapping } from './role-mapping.js';

/** Local users: the admin API's own accounts (scrypt N=2^15, r=8, p=1); the mapping adds gateway roles per admin role. */
export const LocalConfig = z.strictObject({ mapping: RoleMapping.default({ roles: {}, adminRoles: {} }) });

const Domain = z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, 'a lower-case DNS domain like example.com');
const base = {
  id: Identifier,
  displayName: z.string().min(1).max(200),
  enabled: z.boolean().default(true),
  domains: z.array(Domain).max(50).default([]).describe('usernames ending in @<domain> are checked by this provider (the domain is stripped)'),
};

export const IdentityProviderBody = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('ldap'), config: LdapConfig }),
  z.strictObject({ ...base, type: z.literal('oidc'), config: OidcConfig }),
  z.strictObject({ ...base, type: z.literal('local'), config: LocalConfig }),
]);
export type IdentityProviderBody = z.output<typeof IdentityProviderBody>;

export const SECRET_FIELD = { ldap: 'bindPassword', oidc: 'clientSecret', local: undefined } as const;

/** The body without its secret field, and the secret (undefined when not given). */
export function splitSecret(body: IdentityProviderBody): { config: Record<string, unknown>; secret: string | undefined } {
  const field = SECRET_FIELD[body.type];
  const config: Record<string, unknown> = { ...body.config };
  if (!field) return { config, secret: undefined };
  const secret = config[field];
  delete config[field];
  return { config, secret: typeof secret === 'string' ? secret : undefined };
}

/** The response shape of a stored provider (no secret). */
export const StoredIdentityProvider = z
  .object({
    id: z.string(),
    type: z.enum(['ldap', 'oidc', 'local']),
    displayName: z.string(),
    enabled: z.boolean(),
    domains: z.array(z.string()),
    config: z.record(z.string(), z.unknown()),
    secretSet: z.boolean().describe('whether a bind password / client secret is stored (it is never returned)'),
    createdAt: z.string(),
    updatedAt: z.string(),
    version: z.int(),
  })
  .meta({ id: 'IdentityProvider' });

export const TestBody = z.strictObject({ username: z.string().min(1).max(256).optional().describe('a sample user to look up (LDAP)') });
