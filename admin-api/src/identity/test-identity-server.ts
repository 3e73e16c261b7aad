/** Test support: the identity endpoints on a real server (port 0) with a header-driven guard, as other resource tests do. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { ADMIN_ROLES, roleAllows, type Actor, type AdminRole } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import { createApp } from '../http/app.js';
import type { AccessGuard, EndpointSpec } from '../http/endpoint.js';
import { openStore, type Store } from '../store/index.js';

/** Reads the caller's admin role from `x-test-role`. */
export const headerGuard: AccessGuard = async (req, access) => {
  if (access === 'public' || access === 'sidecar') return undefined;
  const role = req.headers['x-test-role'];
  if (typeof role !== 'string' || !(ADMIN_ROLES as readonly string[]).includes(role)) throw new AdminError('ADMIN_UNAUTHENTICATED', 'no x-test-role');
  const actor: Actor = { username: `test-${role}`, role: role as AdminRole, via: 'token' };
  if (access !== 'authenticated' && !roleAllows(actor.role, access)) throw new AdminError('ADMIN_FORBIDDEN', `${role} may not ${access}`);
  return actor;
};

export interface IdentityTestServer {
  store: Store;
  base: string;
  call(method: string, path: string, opts?: { role?: AdminRole | null; body?: unknown; ifMatch?: string }): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

type Assembly = EndpointSpec<never, never, never>[] | { endpoints: EndpointSpec<never, never, never>[]; guard: AccessGuard };

/** Starts what `assemble(store)` gives on 127.0.0.1:0 over `databaseUrl` (default in-memory SQLite); the header guard unless it brings one. */
export async function startIdentityServer(assemble: (store: Store, base: () => string) => Assembly | Promise<Assembly>, databaseUrl = 'sqlite::memory:'): Promise<IdentityTestServer> {
  const store = await openStore(databaseUrl);
  let base = '';
  const a = await assemble(store, () => base);
  const parts = Array.isArray(a) ? { endpoints: a, guard: headerGuard } : a;
  const app = createApp({ ...parts, log: pino({ level: 'silent' }) });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    store,
    base,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = {};
      const role = opts.role === undefined ? 'owner' : opts.role;
      if (role !== null) headers['x-test-role'] = role;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
      const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await store.close();
    },
  };
}
