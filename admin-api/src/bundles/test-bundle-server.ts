/** Test support: the bundle service's and the sidecar contract's endpoints on a real server (port 0), with a header-driven admin guard and the real sidecar verifier. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { AdminError } from '../errors.js';
import { createApp } from '../http/app.js';
import type { AccessGuard } from '../http/endpoint.js';
import { testGuard } from '../resources/test-server.js';
import { createSidecarContract } from '../sidecar/index.js';
import { createService, openStore, type Store } from '../store/index.js';
import { createBundleService, type BundleService, type ChangeNotifier } from './index.js';

export interface BundleTestServer {
  base: string;
  store: Store;
  bundles: BundleService;
  /** admin call with `x-test-role` (default owner) */
  call(method: string, path: string, opts?: { role?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/** Starts the bundle endpoints on `databaseUrl` (a fresh SQLite file by default is the caller's job), creating `services`. */
export async function startBundleServer(opts: { databaseUrl: string; services?: string[]; notifier?: ChangeNotifier; store?: Store; retryBaseMs?: number }): Promise<BundleTestServer> {
  const store = opts.store ?? (await openStore(opts.databaseUrl));
  for (const name of opts.services ?? []) await createService(store, { name }).catch(() => {});
  const log = pino({ level: process.env.TEST_LOG ?? 'silent' });
  const bundles = await createBundleService({ store, log, notifier: opts.notifier, retryBaseMs: opts.retryBaseMs });
  const contract = createSidecarContract({ store, waiters: bundles.waiters, log });
  const guard: AccessGuard = async (req, access, e) => {
    if (access !== 'sidecar') return testGuard(req, access, e);
    const sidecar = await contract.verifySidecar(req);
    if (!sidecar) throw new AdminError('ADMIN_UNAUTHENTICATED', 'a valid sidecar credential is required');
    if (req.res) req.res.locals.sidecar = sidecar;
    return undefined;
  };
  const app = createApp({ endpoints: [...bundles.endpoints, ...contract.endpoints], guard, log, bodyLimit: '8mb' });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    store,
    bundles,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const role = o.role === undefined ? 'owner' : o.role;
      if (role !== null) headers['x-test-role'] = role;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON (a JWS): keep the text
      }
      return { status: res.status, headers: res.headers, body };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bundles.close();
      if (!opts.store) await store.close();
    },
  };
}
