/** The configuration of an external OIDC identity provider (Keycloak, Entra ID, Okta, Google …). */
import { z } from 'zod';
import { RoleMapping } from './role-mapping.js';

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/;

export const OidcConfig = z
  .strictObject({
    issuer: z.url({ protocol: /^https?$/ }).describe('the issuer identifier; discovery reads <issuer>/.well-known/openid-configuration'),
    clientId: z.string().min(1).max(512),
    clientSecret: z.string().min(1).max(4096).optional().describe('write-only; stored encrypted. Absent: a public client (PKCE only)'),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).min(1).max(20).default(['openid', 'profile', 'email']),
    usernameClaim: z.string().min(1).max(100).default('preferred_username'),
    groupsClaim: z.string().min(1).max(100).default('groups').describe('claim holding group names/ids (Entra ID: "groups" or "roles")'),
    mapping: RoleMapping.default({ roles: {}, adminRoles: {} }),
    timeoutMs: z.int().min(100).max(60_000).default(5000),
  })
  .superRefine((c, ctx) => {
    if (c.issuer.startsWith('http:') && !LOOPBACK.test(c.issuer)) ctx.addIssue({ code: 'custom', path: ['issuer'], message: 'must be https:// (http:// only on a loopback address, for development)' });
    if (!c.scopes.includes('openid')) ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'must include openid' });
  });
export type OidcConfig = z.output<typeof OidcConfig>;
