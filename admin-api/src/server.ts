/**
 * Assembles the control plane: store, auth, resources, bundle publishing and sidecar sync, access
 * logs, the OpenAPI document and interactive docs, on one Express app.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Express } from 'express';
import { accessLogEndpoints, startRetention } from './access-logs/index.js';
import { auditEndpoints } from './audit/index.js';
import { createAuth } from './auth/index.js';
import { createBundleService, createPostgresNotifier, type ChangeNotifier } from './bundles/index.js';
import type { AdminConfig } from './config.js';
import { createApp } from './http/app.js';
import { mountSidecarInjector } from './k8s/inject-endpoint.js';
import { mountApiDocs, withOpenApi } from './http/api-docs.js';
import { createTlsServer, hsts } from './http/tls-listen.js';
import type { EndpointSpec } from './http/endpoint.js';
import { createIdentity, openFailureLog } from './identity/index.js';
import { resourceEndpoints } from './resources/index.js';
import { openSecrets } from './secrets/open-secrets.js';
import { createSidecarContract } from './sidecar/index.js';
import { openStore, type Store } from './store/index.js';
import { latestRevisionNumbers } from './store/sidecars-repo.js';
import { createAdminMetrics } from './observability/admin-metrics.js';
import { opsEndpoints } from './observability/ops-endpoints.js';

export interface AdminHandle {
  url: string;
  store: Store;
  /** set on the first start when no AGENTCORE_ADMIN_PASSWORD was given */
  generatedPassword: string | undefined;
  /** whether this start created the owner account */
  ownerCreated: boolean;
  openapi: Record<string, unknown>;
  close(): Promise<void>;
}

export interface AdminStartOptions {
  env?: Record<string, string | undefined>;
  logDestination?: DestinationStream;
}

const VERSION = '0.1.0';

/** Listens (HTTPS with `tls`); long-polls hold requests open up to the sidecar's wait, so the server's own limits stay above it. */
async function listen(app: Express, port: number, host: string, tls: { server: Server } | undefined): Promise<Server> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = tls ? tls.server.listen(port, host, () => resolve(s)) : app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  server.requestTimeout = 0;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  return server;
}

/** Starts the control plane on `config`; close() drains and closes everything it opened. */
export async function startAdmin(config: AdminConfig, o: AdminStartOptions = {}): Promise<AdminHandle> {
  const env = o.env ?? process.env;
  const log: Logger = pino({ level: config.logLevel, base: { svc: 'agentcore-admin' }, timestamp: pino.stdTimeFunctions.isoTime }, o.logDestination ?? pino.destination(1));
  const store = await openStore(config.database);
  const keyRing = await openSecrets(store, env, log).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const secureCookies = config.secureCookies === 'auto' ? config.publicUrl?.startsWith('https:') === true || config.tlsCert !== undefined : config.secureCookies === 'true';
  const notifier: ChangeNotifier | undefined = store.dialect === 'postgres' ? await createPostgresNotifier(config.database, log) : undefined;
  let waiting = (): number => 0;
  const metrics = createAdminMetrics({ store, waiters: () => waiting() });
  const bundles = await createBundleService({ store, log, observer: metrics.publishes, ...(keyRing ? { keyRing } : {}), ...(notifier ? { notifier } : {}) });
  waiting = () => bundles.waiting;
  for (const [service, revision] of await latestRevisionNumbers(store)) metrics.revision(service, revision);
  const sidecar = createSidecarContract({ store, waiters: bundles.waiters, log });
  const failures = openFailureLog(store, config.redis);
  const auth = await createAuth(store, { log, secureCookies, verifySidecar: sidecar.verifySidecar, failureLog: failures.log });
  let boundUrl = `http://${config.listen.host}:${config.listen.port}`; // the real port once listening (port 0 in tests)
  const publicUrl = () => config.publicUrl ?? boundUrl;
  const identity = await createIdentity({ store, env, publicUrl, secureCookies, dummyVerify: auth.dummyVerify, ...(keyRing ? { keyRing } : {}) });
  const boot = await auth.bootstrapOwner(env.AGENTCORE_ADMIN_PASSWORD || undefined);

  const endpoints: EndpointSpec<never, never, never>[] = [
    ...auth.endpoints,
    ...identity.endpoints,
    ...resourceEndpoints({ store, onPolicyChange: (service, actor) => bundles.onPolicyChange(service, actor) }),
    ...bundles.endpoints,
    ...sidecar.endpoints,
    ...accessLogEndpoints({ store }),
    ...auditEndpoints({ store }),
    ...opsEndpoints({ store, metrics, metricsPublic: config.metricsPublic === 'true' }),
  ];
  const { all, document } = withOpenApi(endpoints, { version: VERSION, ...(config.publicUrl ? { serverUrl: config.publicUrl } : {}) });
  const app = createApp({
    endpoints: all,
    guard: auth.guard,
    log,
    bodyLimit: '8mb',
    observe: metrics.http,
    onError: metrics.storeError,
    mount: (a) => {
      if (config.trustProxy > 0) a.set('trust proxy', config.trustProxy);
      if (config.tlsCert) a.use(hsts);
      mountApiDocs(a, document);
      mountSidecarInjector(a, env, log);
    },
  });
  const retention = startRetention({ store, log, retentionDays: config.accessLogRetentionDays });

  const tls = config.tlsCert ? createTlsServer(app, { certFile: config.tlsCert, keyFile: config.tlsKey!, reloadIntervalMs: config.tlsReloadIntervalMs }, log) : undefined;
  const server = await listen(app, config.listen.port, config.listen.host, tls as { server: Server } | undefined);
  const a = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  boundUrl = url;
  log.info({ url, database: store.dialect, docs: `${url}/docs/` }, 'agentcore-admin listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    store,
    generatedPassword: boot.generatedPassword,
    ownerCreated: boot.created,
    openapi: document,
    close: () =>
      (closing ??= (async () => {
        retention.stop();
        tls?.certs.stop();
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await bundles.close();
        await identity.close();
        await failures.close();
        server.closeAllConnections();
        await stopped;
        await store.close();
        log.info('agentcore-admin stopped');
        log.flush();
      })()),
  };
}
