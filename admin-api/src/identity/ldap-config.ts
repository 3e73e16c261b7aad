/** The configuration of an LDAP / Active Directory identity provider, validated with zod. */
import { z } from 'zod';
import { RoleMapping } from './role-mapping.js';

const Filter = z.string().min(3).max(1024).regex(/^\(.*\)$/s, 'must be an LDAP filter in parentheses');
const Dn = z.string().min(1).max(1024);

/** Nested-group strategy: none, AD's LDAP_MATCHING_RULE_IN_CHAIN, or a bounded recursive group search. */
export const NESTED_MODES = ['none', 'in-chain', 'recursive'] as const;

export const LdapConfig = z
  .strictObject({
    url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host:port or ldaps://host:port'),
    startTls: z.boolean().default(false).describe('upgrade ldap:// with StartTLS before any bind'),
    caPem: z.string().max(65536).optional().describe('PEM of the CA to trust (pinned: the system roots are not used)'),
    allowInsecure: z.boolean().default(false).describe('allow ldap:// without StartTLS (passwords in clear on the wire)'),
    bindDn: Dn.describe('service account used to search users and groups'),
    bindPassword: z.string().min(1).max(1024).optional().describe('write-only; stored encrypted'),
    userBase: Dn,
    userFilter: Filter.default('(uid={username})').describe('{username} is replaced by the escaped input (RFC 4515)'),
    attributes: z
      .strictObject({ username: z.string().default('uid'), displayName: z.string().default('cn'), email: z.string().default('mail') })
      .default({ username: 'uid', displayName: 'cn', email: 'mail' }),
    disabledFilter: Filter.optional().describe('a user entry matching this is disabled, e.g. (userAccountControl:1.2.840.113556.1.4.803:=2) on AD'),
    groups: z
      .strictObject({
        source: z.enum(['memberOf', 'search']).default('memberOf'),
        base: Dn.optional().describe('where groups live; needed for source "search" and nested "recursive"/"in-chain"'),
        filter: Filter.default('(member={dn})').describe('{dn} is the escaped member DN'),
        nested: z.enum(NESTED_MODES).default('none'),
        maxDepth: z.int().min(1).max(10).default(5),
      })
      .default({ source: 'memberOf', filter: '(member={dn})', nested: 'none', maxDepth: 5 }),
    mapping: RoleMapping.default({ roles: {}, adminRoles: {} }),
    connectTimeoutMs: z.int().min(100).max(60_000).default(3000),
    operationTimeoutMs: z.int().min(100).max(60_000).default(5000),
    poolSize: z.int().min(1).max(32).default(4),
  })
  .superRefine((c, ctx) => {
    if (c.url.startsWith('ldap://') && !c.startTls && !c.allowInsecure) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'use ldaps:// or startTls, or set allowInsecure to send passwords in clear' });
    }
    if (c.url.startsWith('ldaps://') && c.startTls) ctx.addIssue({ code: 'custom', path: ['startTls'], message: 'StartTLS is for ldap:// URLs' });
    if ((c.groups.source === 'search' || c.groups.nested !== 'none') && !c.groups.base) {
      ctx.addIssue({ code: 'custom', path: ['groups', 'base'], message: 'needed for a group search' });
    }
  });
export type LdapConfig = z.output<typeof LdapConfig>;
