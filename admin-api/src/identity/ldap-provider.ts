/**
 * An LDAP / Active Directory identity provider: finds the user with the service account (filter
 * input escaped), binds as the user to check the password, reads groups (nested too) and maps them
 * to roles. Any directory failure or timeout is PROVIDER_UNAVAILABLE — never a sign-in.
 */
import { randomBytes } from 'node:crypto';
import { InvalidCredentialsError, type Client, type Entry } from 'ldapts';
import type { LdapConfig } from './ldap-config.js';
import { closeQuietly, createLdapPool, openBound } from './ldap-connection.js';
import { fillFilter, firstRdnValue } from './ldap-filter.js';
import { attributeValues, resolveGroupDns } from './ldap-groups.js';
import { invalidCredentials, type PasswordCheck, type PasswordVerifier, type VerifiedUser } from './password-verifier.js';
import { mapGroups } from './role-mapping.js';

/** What "test connection" found, step by step; never contains a password. */
export interface LdapTestReport {
  ok: boolean;
  tls: 'ldaps' | 'starttls' | 'none';
  steps: { step: string; ok: boolean; ms: number; error?: string }[];
  user?: { dn: string; username: string; displayName?: string; email?: string; disabled: boolean; groups: string[]; groupDns: string[]; roles: string[]; adminRoles: string[] };
}

/** An LDAP provider: a PasswordVerifier plus a connection test and shutdown. */
export interface LdapProvider extends PasswordVerifier {
  testConnection(sampleUser?: string): Promise<LdapTestReport>;
  close(): Promise<void>;
}

class Unavailable extends Error {}

const first = (e: Entry, attr: string): string | undefined => attributeValues(e[attr])[0];
const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Creates the provider; `bindPassword` is the decrypted service-account password. */
export function createLdapProvider(id: string, cfg: LdapConfig, bindPassword: string): LdapProvider {
  const pool = createLdapPool(cfg, cfg.bindDn, bindPassword);
  const userAttributes = [cfg.attributes.username, cfg.attributes.displayName, cfg.attributes.email, 'memberOf', 'entryUUID', 'objectGUID'];
  const deadlineMs = cfg.connectTimeoutMs + 3 * cfg.operationTimeoutMs;

  /** The single entry matching the username, undefined for none or several (ambiguous = unknown). */
  const findUser = async (client: Client, username: string): Promise<Entry | undefined> => {
    const filter = fillFilter(cfg.userFilter, { username });
    try {
      const r = await client.search(cfg.userBase, { scope: 'sub', filter, attributes: userAttributes, sizeLimit: 2 });
      return r.searchEntries.length === 1 ? r.searchEntries[0] : undefined;
    } catch (err) {
      if ((err as { code?: number }).code === 4) return undefined; // sizeLimitExceeded: ambiguous
      throw err;
    }
  };
  const isDisabled = async (client: Client, dn: string): Promise<boolean> => {
    if (!cfg.disabledFilter) return false;
    const r = await client.search(dn, { scope: 'base', filter: cfg.disabledFilter, attributes: ['dn'] });
    return r.searchEntries.length > 0;
  };
  const describe = async (client: Client, entry: Entry, fallbackUsername: string) => {
    const groupDns = await resolveGroupDns(client, cfg.groups, entry.dn, entry.memberOf);
    const groups = [...new Set(groupDns.map(firstRdnValue))].sort();
    const mapped = mapGroups([...groups, ...groupDns], cfg.mapping);
    const guid = entry.objectGUID;
    const stableId = first(entry, 'entryUUID') ?? (Buffer.isBuffer(guid) ? guid.toString('hex') : undefined) ?? entry.dn;
    return {
      dn: entry.dn,
      subject: `${id}:${stableId}`,
      username: first(entry, cfg.attributes.username) ?? fallbackUsername,
      displayName: first(entry, cfg.attributes.displayName),
      email: first(entry, cfg.attributes.email),
      groups,
      groupDns,
      ...mapped,
    };
  };

  /** Binds as `dn` on its own connection: true, false (wrong password) or throws Unavailable. */
  const bindAs = async (dn: string, password: string): Promise<boolean> => {
    try {
      await closeQuietly(await openBound(cfg, dn, password));
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw new Unavailable(errorText(err));
    }
  };

  const check = async (username: string, password: string): Promise<PasswordCheck> => {
    let entry: Entry | undefined;
    try {
      entry = await pool.use((c) => findUser(c, username));
    } catch (err) {
      throw new Unavailable(errorText(err));
    }
    if (!entry) {
      // Same work as for a real user (one failing bind), so timing says little about existence.
      await bindAs(`cn=no-such-user-${randomBytes(8).toString('hex')},${cfg.userBase}`, password);
      return invalidCredentials();
    }
    const found = entry;
    if (!(await bindAs(found.dn, password))) return invalidCredentials();
    try {
      return await pool.use(async (c) => {
        if (await isDisabled(c, found.dn)) return { ok: false, reason: 'ACCOUNT_DISABLED', message: 'this account is disabled in the directory' } as const;
        const u = await describe(c, found, username);
        const user: VerifiedUser = { subject: u.subject, username: u.username, displayName: u.displayName, email: u.email, groups: u.groups, roles: u.roles, adminRoles: u.adminRoles, provider: id };
        return { ok: true, user } as const;
      });
    } catch (err) {
      throw new Unavailable(errorText(err));
    }
  };

  return {
    id,
    async verifyPassword(username, password, signal) {
      // An empty password would be an LDAP "unauthenticated bind", which succeeds: refuse it here.
      if (username.length === 0 || username.length > 256 || password.length === 0 || password.length > 1024) return invalidCredentials();
      const timeout = AbortSignal.timeout(deadlineMs);
      const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
      const unavailable = (detail: string): PasswordCheck => ({ ok: false, reason: 'PROVIDER_UNAVAILABLE', message: `the directory "${id}" is unavailable: ${detail}` });
      try {
        return await new Promise<PasswordCheck>((resolve, reject) => {
          const onAbort = () => resolve(unavailable(timeout.aborted ? `no answer within ${deadlineMs} ms` : 'request aborted'));
          if (abort.aborted) return onAbort();
          abort.addEventListener('abort', onAbort, { once: true });
          check(username, password).then(resolve, reject).finally(() => abort.removeEventListener('abort', onAbort));
        });
      } catch (err) {
        if (err instanceof Unavailable) return unavailable(err.message);
        throw err;
      }
    },
    async testConnection(sampleUser) {
      const report: LdapTestReport = { ok: true, tls: cfg.url.startsWith('ldaps:') ? 'ldaps' : cfg.startTls ? 'starttls' : 'none', steps: [] };
      const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
        const t0 = performance.now();
        try {
          const r = await fn();
          report.steps.push({ step: name, ok: true, ms: Math.round(performance.now() - t0) });
          return r;
        } catch (err) {
          report.ok = false;
          report.steps.push({ step: name, ok: false, ms: Math.round(performance.now() - t0), error: errorText(err) });
          return undefined;
        }
      };
      await step('connect and bind as the service account', () => pool.use(async () => true));
      if (report.ok && sampleUser !== undefined) {
        const found = await step(`find user "${sampleUser}"`, async () => {
          const e = await pool.use((c) => findUser(c, sampleUser));
          if (!e) throw new Error('no single entry matches the user filter');
          return e;
        });
        if (found) {
          await step('read groups and map roles', () =>
            pool.use(async (c) => {
              const u = await describe(c, found, sampleUser);
              report.user = { dn: u.dn, username: u.username, displayName: u.displayName, email: u.email, disabled: await isDisabled(c, found.dn), groups: u.groups, groupDns: u.groupDns, roles: u.roles, adminRoles: u.adminRoles };
            }),
          );
        }
      }
      return report;
    },
    close: () => pool.close(),
  };
}
