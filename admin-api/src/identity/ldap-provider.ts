/**
 * An LDAP / Active Directory identity provider: finds the user with the service account (filter
 * input escaped), binds as the user to check the password, reads groups (nested too) and maps them
 * to roles. Any directory failure or timeout is PROVIDER_UNAVAILABLE — never a sign-in.
 */
import { randomBytes } from 'node:crypto';
import { InvalidCredentialsError, type Entry } from 'ldapts';
import type { LdapConfig } from './ldap-config.js';
import { closeQuietly, createLdapPool, openBound, type LdapPool } from './ldap-connection.js';
import { describeUser, findUser, isDisabled } from './ldap-directory.js';
import { invalidCredentials, type PasswordCheck, type PasswordVerifier, type VerifiedUser } from './password-verifier.js';

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

const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** Connects, binds as the service account and (with a sample user) reports user, groups and roles. */
async function testConnection(id: string, cfg: LdapConfig, pool: LdapPool, sampleUser: string | undefined): Promise<LdapTestReport> {
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
      const e = await pool.use((c) => findUser(cfg, c, sampleUser));
      if (!e) throw new Error('no single entry matches the user filter');
      return e;
    });
    if (found) {
      await step('read groups and map roles', () =>
        pool.use(async (c) => {
          const u = await describeUser(id, cfg, c, found, sampleUser);
          report.user = { dn: u.dn, username: u.username, displayName: u.displayName, email: u.email, disabled: await isDisabled(cfg, c, found.dn), groups: u.groups, groupDns: u.groupDns, roles: u.roles, adminRoles: u.adminRoles };
        }),
      );
    }
  }
  return report;
}

/** Creates the provider; `bindPassword` is the decrypted service-account password. */
export function createLdapProvider(id: string, cfg: LdapConfig, bindPassword: string): LdapProvider {
  const pool = createLdapPool(cfg, cfg.bindDn, bindPassword);
  const deadlineMs = cfg.connectTimeoutMs + 3 * cfg.operationTimeoutMs;

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
      entry = await pool.use((c) => findUser(cfg, c, username));
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
        if (await isDisabled(cfg, c, found.dn)) return { ok: false, reason: 'ACCOUNT_DISABLED', message: 'this account is disabled in the directory' } as const;
        const u = await describeUser(id, cfg, c, found, username);
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
    testConnection: (sampleUser) => testConnection(id, cfg, pool, sampleUser),
    close: () => pool.close(),
  };
}
