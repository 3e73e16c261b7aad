/** Directory reads of the LDAP provider: find one user (escaped filter), the disabled check, groups and roles. */
import type { Client, Entry } from 'ldapts';
import type { LdapConfig } from './ldap-config.js';
import { fillFilter, firstRdnValue } from './ldap-filter.js';
import { attributeValues, resolveGroupDns } from './ldap-groups.js';
import { mapGroups } from './role-mapping.js';

const first = (e: Entry, attr: string): string | undefined => attributeValues(e[attr])[0];

/** The attributes read for a user entry. */
export const userAttributes = (cfg: LdapConfig): string[] => [cfg.attributes.username, cfg.attributes.displayName, cfg.attributes.email, 'memberOf', 'entryUUID', 'objectGUID'];

/** The single entry matching the username; undefined for none or several (ambiguous = unknown). */
export async function findUser(cfg: LdapConfig, client: Client, username: string): Promise<Entry | undefined> {
  const filter = fillFilter(cfg.userFilter, { username });
  try {
    const r = await client.search(cfg.userBase, { scope: 'sub', filter, attributes: userAttributes(cfg), sizeLimit: 2 });
    return r.searchEntries.length === 1 ? r.searchEntries[0] : undefined;
  } catch (err) {
    if ((err as { code?: number }).code === 4) return undefined; // sizeLimitExceeded: ambiguous
    throw err;
  }
}

/** Whether the entry matches the configured disabled filter. */
export async function isDisabled(cfg: LdapConfig, client: Client, dn: string): Promise<boolean> {
  if (!cfg.disabledFilter) return false;
  const r = await client.search(dn, { scope: 'base', filter: cfg.disabledFilter, attributes: ['dn'] });
  return r.searchEntries.length > 0;
}

/** A found user with groups (nested per config), mapped roles and a stable subject (entryUUID / objectGUID / DN). */
export async function describeUser(providerId: string, cfg: LdapConfig, client: Client, entry: Entry, fallbackUsername: string) {
  const groupDns = await resolveGroupDns(client, cfg.groups, entry.dn, entry.memberOf);
  const groups = [...new Set(groupDns.map(firstRdnValue))].sort();
  const mapped = mapGroups([...groups, ...groupDns], cfg.mapping);
  const guid = entry.objectGUID;
  const stableId = first(entry, 'entryUUID') ?? (Buffer.isBuffer(guid) ? guid.toString('hex') : undefined) ?? entry.dn;
  return {
    dn: entry.dn,
    subject: `${providerId}:${stableId}`,
    username: first(entry, cfg.attributes.username) ?? fallbackUsername,
    displayName: first(entry, cfg.attributes.displayName),
    email: first(entry, cfg.attributes.email),
    groups,
    groupDns,
    ...mapped,
  };
}
