/**
 * LDAP connections for a provider: TLS settings (ldaps:// or StartTLS, optionally a pinned CA), timeouts,
 * and a small pool of connections bound as the service account. User binds use their own connection
 * so pooled connections never change identity.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { LdapConfig } from './ldap-config.js';

type ConnectionSettings = Pick<LdapConfig, 'url' | 'startTls' | 'caPem' | 'connectTimeoutMs' | 'operationTimeoutMs'>;

function tlsOptions(c: ConnectionSettings): ConnectionOptions {
  const host = new URL(c.url.replace(/^ldaps?:/, 'http:')).hostname;
  // A pinned CA replaces the system roots; rejectUnauthorized stays on either way (fail closed).
  return { rejectUnauthorized: true, servername: /^[\d.]+$|:/.test(host) ? undefined : host, ...(c.caPem ? { ca: [c.caPem] } : {}) };
}

/** Opens a connection (with StartTLS when configured) and binds it; throws on any failure. */
export async function openBound(c: ConnectionSettings, dn: string, password: string): Promise<Client> {
  // ldapts opens TLS at connect whenever tlsOptions are given, so ldap:// + StartTLS must not pass them here.
  const ldaps = c.url.startsWith('ldaps:');
  const client = new Client({ url: c.url, connectTimeout: c.connectTimeoutMs, timeout: c.operationTimeoutMs, ...(ldaps ? { tlsOptions: tlsOptions(c) } : {}), strictDN: false });
  try {
    if (c.startTls) await client.startTLS(tlsOptions(c));
    await client.bind(dn, password);
    return client;
  } catch (err) {
    await closeQuietly(client);
    throw err;
  }
}

/** Unbinds and ignores errors (the connection may already be gone). */
export async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.unbind();
  } catch {
    // already closed
  }
}

/** A bounded pool of service-account connections. */
export interface LdapPool {
  /** Runs `fn` on a service-bound connection; a connection that failed is discarded, not returned. */
  use<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Creates a pool of at most `poolSize` concurrent service-account connections. */
export function createLdapPool(c: ConnectionSettings & { poolSize: number }, bindDn: string, bindPassword: string): LdapPool {
  const idle: Client[] = [];
  const waiting: (() => void)[] = [];
  let busy = 0;
  let closed = false;

  const acquireSlot = async (): Promise<void> => {
    while (busy >= c.poolSize) await new Promise<void>((r) => waiting.push(r));
    busy++;
  };
  const releaseSlot = (): void => {
    busy--;
    waiting.shift()?.();
  };

  const run = async <T>(client: Client, fn: (client: Client) => Promise<T>): Promise<T> => {
    try {
      const result = await fn(client);
      if (closed) await closeQuietly(client);
      else idle.push(client);
      return result;
    } catch (err) {
      await closeQuietly(client);
      throw err;
    }
  };

  return {
    async use(fn) {
      if (closed) throw new Error('LDAP pool closed');
      await acquireSlot();
      try {
        // A reused connection may have died with the server (restart): retry once on a fresh one.
        const reused = idle.pop();
        if (reused) {
          try {
            return await run(reused, fn);
          } catch {
            // fall through to a fresh connection
          }
        }
        return await run(await openBound(c, bindDn, bindPassword), fn);
      } finally {
        releaseSlot();
      }
    },
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map(closeQuietly));
    },
  };
}
