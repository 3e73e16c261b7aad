/**
 * Test support: the admin API (its OAuth server included) on an in-memory SQLite (port 0), an owner's personal
 * access token, a service `agents` with roles, and oauth4webapi pointed at it.
 */
import * as oauth from 'oauth4webapi';
import { Writable } from 'node:stream';
import { loadConfig } from '../config.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { startAdmin, type AdminHandle } from '../server.js';

export const OWNER_PASSWORD = 'correct horse battery staple';

export interface OAuthTestEnv {
  admin: AdminHandle;
  as: oauth.AuthorizationServer;
  /** admin API call with the owner's token; never throws */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk arbitrary JSON
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** oauth4webapi options allowing our http:// test issuer */
  http: { [oauth.allowInsecureRequests]: true };
  clock: { offsetMs: number };
  /** creates a client, returns its secret (undefined for public ones) */
  createClient(body: Record<string, unknown>): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A response's JSON body, untyped for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests walk arbitrary JSON
export const jsonOf = (r: Response): Promise<any> => r.json();

/** Starts the environment on an in-memory SQLite, or a fresh PostgreSQL database (dropped by close). */
export async function startOAuthTestEnv(dialect: 'sqlite' | 'postgres' = 'sqlite'): Promise<OAuthTestEnv> {
  const db: TestDatabase | undefined = dialect === 'postgres' ? await createTestDatabase('postgres') : undefined;
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', db?.url ?? 'sqlite::memory:', '--log-level', 'warn'], {});
  if (!c.ok) throw new Error('bad config');
  const clock = { offsetMs: 0 };
  const admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: OWNER_PASSWORD }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }), now: () => Date.now() + clock.offsetMs });
  const s = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: OWNER_PASSWORD }) });
  const { csrfToken } = (await s.json()) as { csrfToken: string };
  const cookie = s.headers.get('set-cookie')!.split(';', 1)[0]!;
  const t = await fetch(`${admin.url}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, body: JSON.stringify({ name: 'tests' }) });
  const pat = ((await t.json()) as { token: string }).token;
  const call: OAuthTestEnv['call'] = async (method, path, body, headers = {}) => {
    const r = await fetch(admin.url + path, { method, headers: { authorization: `Bearer ${pat}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await r.text();
    return { status: r.status, body: text === '' ? undefined : JSON.parse(text), headers: r.headers };
  };
  for (const name of ['agents', 'billing']) {
    await call('POST', '/api/v1/services', { name });
    await call('POST', `/api/v1/services/${name}/roles`, { name: 'viewer', permissions: ['agents:read'] });
    await call('POST', `/api/v1/services/${name}/roles`, { name: 'operator', permissions: ['agents:write'], inherits: ['viewer'] });
  }
  const http = { [oauth.allowInsecureRequests]: true } as const;
  const issuer = new URL(admin.url);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...http }));
  return {
    admin,
    as,
    call,
    http,
    clock,
    async createClient(body) {
      const r = await call('POST', '/api/v1/oauth-clients', body);
      if (r.status !== 201) throw new Error(`client creation failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.secret as string | undefined;
    },
    async close() {
      await admin.close();
      await db?.drop();
    },
  };
}
