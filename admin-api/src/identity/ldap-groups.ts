/**
 * A user's groups: the direct ones (from `memberOf` or a group search), then the groups those are
 * members of — by AD's LDAP_MATCHING_RULE_IN_CHAIN in one search, or by a recursive group search
 * bounded in depth and count (OpenLDAP and others).
 */
import type { Client } from 'ldapts';
import type { LdapConfig } from './ldap-config.js';
import { escapeFilterValue, fillFilter } from './ldap-filter.js';

/** LDAP_MATCHING_RULE_IN_CHAIN (Active Directory): transitive membership in one search. */
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
/** At most this many groups per user are collected (a cycle or a huge tree cannot run away). */
export const MAX_GROUPS = 500;

const asList = (v: unknown): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))));

/** The filter finding every group `dn` belongs to, directly and through nesting (AD only). */
export const inChainFilter = (dn: string): string => `(member:${IN_CHAIN_RULE}:=${escapeFilterValue(dn)})`;

async function searchGroupDns(client: Client, base: string, filter: string): Promise<string[]> {
  const r = await client.search(base, { scope: 'sub', filter, attributes: ['dn'], sizeLimit: MAX_GROUPS });
  return r.searchEntries.map((e) => e.dn);
}

/** The DNs of every group the user belongs to (lower-cased DN keys de-duplicate). */
export async function resolveGroupDns(client: Client, cfg: LdapConfig['groups'], userDn: string, memberOf: unknown): Promise<string[]> {
  const base = cfg.base ?? '';
  if (cfg.nested === 'in-chain') return searchGroupDns(client, base, inChainFilter(userDn));

  const direct = cfg.source === 'memberOf' ? asList(memberOf) : await searchGroupDns(client, base, fillFilter(cfg.filter, { dn: userDn }));
  const seen = new Map(direct.map((dn) => [dn.toLowerCase(), dn]));
  if (cfg.nested === 'none') return [...seen.values()];

  let frontier = [...seen.values()];
  for (let depth = 1; depth < cfg.maxDepth && frontier.length > 0 && seen.size < MAX_GROUPS; depth++) {
    const filter = `(|${frontier.map((dn) => fillFilter(cfg.filter, { dn })).join('')})`;
    const parents = await searchGroupDns(client, base, filter);
    frontier = parents.filter((dn) => !seen.has(dn.toLowerCase()));
    for (const dn of frontier) seen.set(dn.toLowerCase(), dn);
  }
  return [...seen.values()].slice(0, MAX_GROUPS);
}

export { asList as attributeValues };
