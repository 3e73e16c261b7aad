/** Test support: the resource endpoints on a real server (port 0), a header-driven guard, and a fetch helper. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { ADMIN_ROLES, roleAllows, type Actor, type AdminRole } from '../auth/admin-roles.js';
import { AdminError } from '../errors.js';
import { createApp } from '../http/app.js';
import type { AccessGuard } from '../http/endpoint.js';
import { openStore, type Store } from '../store/index.js';
import { resourceEndpoints } from './index.js';

/** Reads the caller's admin role from `x-test-role` (the real auth module replaces this). */
export const testGuard: AccessGuard = async (req, access) => {
  if (access === 'public' || access === 'sidecar') return undefined;
  const role = req.headers['x-test-role'];
  if (typeof role !== 'string' || !(ADMIN_ROLES as readonly string[]).includes(role)) {
    throw new AdminError('ADMIN_UNAUTHENTICATED', 'no x-test-role');
  }
  const actor: Actor = { username: `test-${role}`, role: role as AdminRole, via: 'token' };
  if (access !== 'authenticated' && !roleAllows(actor.role, access)) throw new AdminError('ADMIN_FORBIDDEN', `${role} may not ${access}`);
  return actor;
};

export interface CallOptions {
  role?: AdminRole | null;
  body?: unknown;
  ifMatch?: string;
}
export interface CallResult {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test assertions walk arbitrary JSON
  body: any;
}

export interface TestServer {
  store: Store;
  /** each onPolicyChange call: [service, actor username] */
  changes: [string, string][];
  clock: { now: number };
  call(method: string, path: string, opts?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

/** Starts the resource endpoints on `databaseUrl` (default an in-memory SQLite). */
export async function startTestServer(databaseUrl = 'sqlite::memory:'): Promise<TestServer> {
  const store = await openStore(databaseUrl);
  const changes: [string, string][] = [];
  const clock = { now: Date.now() };
  const app = createApp({
    endpoints: resourceEndpoints({ store, onPolicyChange: (service, actor) => changes.push([service, actor.username]), now: () => clock.now }),
    guard: testGuard,
    log: pino({ level: 'silent' }),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    store,
    changes,
    clock,
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
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await store.close();
    },
  };
}
