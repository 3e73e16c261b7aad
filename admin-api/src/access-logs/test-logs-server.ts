/**
 * Test support for the log endpoints: the access-log, stats and audit endpoints on a real server (port 0)
 * over a fresh SQLite file (or PostgreSQL database), a header-driven guard, a counter of rows the database returned (to
 * prove an export stopped reading), and a fast bulk filler.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql, type KyselyPlugin } from 'kysely';
import { pino } from 'pino';
import { ADMIN_ROLES, roleAllows, type Actor, type AdminRole } from '../auth/admin-roles.js';
import { auditEndpoints } from '../audit/index.js';
import { AdminError } from '../errors.js';
import { createApp } from '../http/app.js';
import type { AccessGuard } from '../http/endpoint.js';
import { openStore, type Store } from '../store/index.js';
import { createTestDatabase, type TestDatabase } from '../store/test-databases.js';
import { accessLogEndpoints, accessLogStatsEndpoints } from './index.js';

/** Reads the caller's admin role from `x-test-role`. */
const guard: AccessGuard = async (req, access) => {
  if (access === 'public' || access === 'sidecar') return undefined;
  const role = req.headers['x-test-role'];
  if (typeof role !== 'string' || !(ADMIN_ROLES as readonly string[]).includes(role)) {
    throw new AdminError('ADMIN_UNAUTHENTICATED', 'no x-test-role');
  }
  const actor: Actor = { username: `test-${role}`, role: role as AdminRole, via: 'token' };
  if (access !== 'authenticated' && !roleAllows(actor.role, access)) throw new AdminError('ADMIN_FORBIDDEN', `${role} may not ${access}`);
  return actor;
};

export interface LogsTestServer {
  base: string;
  /** the store the server reads through (with the row counter) */
  store: Store;
  /** rows returned by the database to the server so far */
  rowsRead(): number;
  /** error-level log lines of the app */
  errors: string[];
  /** GET with a role (default auditor); the body as text */
  get(path: string, role?: AdminRole | null): Promise<{ status: number; headers: Headers; text: string }>;
  /** GET and parse JSON */
  getJson(path: string, role?: AdminRole | null): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test assertions walk arbitrary JSON
  close(): Promise<void>;
}

export interface LogsServerOptions {
  /** make every database read fail once this many rows were returned (a store failing mid-export) */
  failAfterRows?: number;
  /** the store's dialect (default sqlite) */
  dialect?: 'sqlite' | 'postgres';
}

/** Starts the log endpoints over a fresh database (SQLite unless `opts.dialect` says otherwise). */
export async function startLogsServer(opts: LogsServerOptions = {}): Promise<LogsTestServer> {
  const target: TestDatabase = await createTestDatabase(opts.dialect ?? 'sqlite');
  const raw = await openStore(target.url);
  let rows = 0;
  const counter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      if (opts.failAfterRows !== undefined && rows >= opts.failAfterRows) throw new Error('simulated database failure');
      rows += args.result.rows.length;
      return args.result;
    },
  };
  const store: Store = { db: raw.db.withPlugin(counter), dialect: raw.dialect, close: () => raw.close() };
  const errors: string[] = [];
  const log = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
  const app = createApp({ endpoints: [...accessLogEndpoints({ store }), ...accessLogStatsEndpoints({ store }), ...auditEndpoints({ store })], guard, log });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, role: AdminRole | null = 'auditor') => {
    const res = await fetch(base + path, { headers: role === null ? {} : { 'x-test-role': role } });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  return {
    base,
    store,
    rowsRead: () => rows,
    errors,
    get,
    async getJson(path, role) {
      const r = await get(path, role);
      return { status: r.status, headers: r.headers, body: JSON.parse(r.text) };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
      await raw.close();
      await target.drop();
    },
  };
}

/**
 * Inserts `n` synthetic records in one statement (recursive CTE): record i is at `t0 + i` ms,
 * service `svc-(i % 4)`, principal `user-(i % 100)`, status 200 or (every 10th) 403 / deny.
 */
export async function fillAccessLogs(store: Store, n: number, t0: number): Promise<void> {
  await sql`
    with recursive seq(i) as (select 0 union all select i + 1 from seq where i + 1 < ${n})
    insert into access_logs (at, service, request_id, principal, api_key_id, route_id, method, path, status, decision, reason, client, latency_ms)
    select ${t0} + i, 'svc-' || (i % 4), 'req-' || i, 'user-' || (i % 100), null, 'route-' || (i % 7), 'GET', '/items/' || i,
           case when i % 10 = 0 then 403 else 200 end, case when i % 10 = 0 then 'deny' else 'allow' end,
           case when i % 10 = 0 then 'MISSING_PERMISSION' else 'GRANTED' end, '10.0.0.1', 1.5
    from seq`.execute(store.db);
}
