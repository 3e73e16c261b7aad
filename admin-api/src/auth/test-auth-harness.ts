/** Test support for the auth suites: the auth module on a real server (port 0) with one probe endpoint per access level. */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { expect } from 'vitest';
import { createApp } from '../http/app.js';
import { endpoint, type Access, type EndpointSpec } from '../http/endpoint.js';
import { openStore, type Store } from '../store/index.js';
import type { AdminRole } from './admin-roles.js';
import { createAuth, type AdminAuth, type AdminAuthOptions } from './index.js';

export const OWNER_PASSWORD = 'owner-password-1234';
export const PASSWORDS: Record<AdminRole, string> = {
  owner: OWNER_PASSWORD,
  'security-admin': 'sec-admin-password-5678',
  'platform-engineer': 'platform-password-9012',
  auditor: 'auditor-password-3456',
};
export const USERS: Record<AdminRole, string> = { owner: 'admin', 'security-admin': 'sam', 'platform-engineer': 'pat', auditor: 'audrey' };

/** One probe endpoint per access level; each answers who the guard let in. */
export const PROBES: { method: 'get' | 'post'; path: string; access: Access }[] = [
  { method: 'get', path: '/api/v1/test/public', access: 'public' },
  { method: 'get', path: '/api/v1/test/authenticated', access: 'authenticated' },
  { method: 'get', path: '/api/v1/test/sidecar', access: 'sidecar' },
  { method: 'get', path: '/api/v1/test/read', access: 'read' },
  { method: 'post', path: '/api/v1/test/platform', access: 'platform:write' },
  { method: 'post', path: '/api/v1/test/security', access: 'security:write' },
  { method: 'get', path: '/api/v1/test/logs', access: 'logs:read' },
  { method: 'post', path: '/api/v1/test/admin', access: 'admin:manage' },
];
export const probeEndpoints = PROBES.map((p) =>
  endpoint({
    method: p.method,
    path: p.path,
    operationId: `probe_${p.access}`,
    summary: `probe ${p.access}`,
    tags: ['test'],
    access: p.access,
    responses: { 200: { description: 'let in' } },
    async handler({ actor, res }) {
      return { body: { actor: actor ?? null, sidecar: (res.locals.sidecar as unknown) ?? null } };
    },
  }),
) as EndpointSpec<never, never, never>[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read arbitrary fields of JSON answers
export type JsonBody = any;

export interface Harness {
  store: Store;
  auth: AdminAuth;
  logLines: string[];
  call(method: string, path: string, o?: { cookie?: string; csrf?: string; token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  login(username: string, password: string): Promise<{ cookie: string; csrf: string; setCookie: string }>;
  close(): Promise<void>;
}

export async function startHarness(o: Partial<AdminAuthOptions> = {}, bootstrap = true): Promise<Harness> {
  const logLines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (s: string) => void logLines.push(s) });
  const store = await openStore('sqlite::memory:');
  const auth = await createAuth(store, { log, secureCookies: true, ...o });
  if (bootstrap) await auth.bootstrapOwner(OWNER_PASSWORD);
  const app = createApp({ endpoints: [...auth.endpoints, ...probeEndpoints], guard: auth.guard, log });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call: Harness['call'] = async (method, path, c = {}) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.cookie) headers.cookie = c.cookie;
    if (c.csrf) headers['x-csrf-token'] = c.csrf;
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, { method, headers, body: c.body === undefined ? undefined : JSON.stringify(c.body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
  };
  const login: Harness['login'] = async (username, password) => {
    const r = await call('POST', '/api/v1/session', { body: { username, password } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const setCookie = r.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0] ?? '', csrf: r.body.csrfToken as string, setCookie };
  };
  return {
    store,
    auth,
    logLines,
    call,
    login,
    async close() {
      server.closeAllConnections();
      server.close();
      await store.close();
    },
  };
}

export const auditRows = (store: Store) => store.db.selectFrom('audit_events').selectAll().orderBy('id').execute();

/** A harness with one admin user per role, a session of the owner and a personal access token per role. */
export interface SeededHarness {
  h: Harness;
  owner: { cookie: string; csrf: string; setCookie: string };
  tokens: Record<AdminRole, string>;
  /** every secret handed out so far; tests add theirs, the last test checks none reached the audit trail or the log */
  secrets: string[];
}

/** Starts a harness and creates the users and tokens (asserting each step). */
export async function startSeededHarness(): Promise<SeededHarness> {
  const h = await startHarness();
  const tokens = {} as Record<AdminRole, string>;
  const secrets: string[] = [...Object.values(PASSWORDS)];
  const owner = await h.login('admin', OWNER_PASSWORD);
  secrets.push(owner.cookie.split('=')[1] ?? '', owner.csrf);
  for (const role of ['security-admin', 'platform-engineer', 'auditor'] as const) {
    const r = await h.call('POST', '/api/v1/admin-users', { ...owner, body: { username: USERS[role], password: PASSWORDS[role], role } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ username: USERS[role], role, disabled: false, version: 1 });
    expect(JSON.stringify(r.body)).not.toContain('scrypt');
  }
  for (const role of Object.keys(USERS) as AdminRole[]) {
    const s = role === 'owner' ? owner : await h.login(USERS[role], PASSWORDS[role]);
    const t = await h.call('POST', '/api/v1/tokens', { ...s, body: { name: `${role} automation` } });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    tokens[role] = t.body.token as string;
    secrets.push(tokens[role]);
  }
  return { h, owner, tokens, secrets };
}

/** No password, hash, token, session id or CSRF token in the audit trail or the log. */
export async function expectNoSecretsWritten(h: Harness, secrets: readonly string[]): Promise<void> {
  const audit = JSON.stringify(await auditRows(h.store));
  const logs = h.logLines.join('\n');
  expect(h.logLines.length).toBeGreaterThan(0);
  expect(audit).not.toContain('scrypt$');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(11);
    expect(audit).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
}
