/**
 * Assembles the control plane: store, auth, resources, bundle publishing and sidecar sync, access
 * logs, the OAuth 2.0 authorization server, the OpenAPI document and interactive docs, on one Express app.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Express } from 'express';
import { accessLogEndpoints, accessLogStatsEndpoints, liveTailEndpoints, startRetention } from './access-logs/index.js';
import { auditEndpoints } from './audit/index.js';
import { createAuth } from './auth/index.js';
import { createBundleService, createPostgresNotifier, type ChangeNotifier } from './bundles/index.js';
import type { AdminConfig } from './config.js';
import { createApp } from './http/app.js';
import { mountConsole } from './http/console-static.js';
import { mountSidecarInjector } from './k8s/inject-endpoint.js';
import { createOAuth } from './oauth/index.js';
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
  /** epoch-ms clock of the OAuth server (tests move it to expire tokens and codes) */
  now?: () => number;
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

/** The services of the control plane, opened in dependency order (nothing listens yet). */
async function openParts(config: AdminConfig, o: AdminStartOptions) {
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
  const bound = { url: `http://${config.listen.host}:${config.listen.port}` }; // the real port once listening (port 0 in tests)
  const identity = await createIdentity({ store, env, publicUrl: () => config.publicUrl ?? bound.url, secureCookies, dummyVerify: auth.dummyVerify, ...(keyRing ? { keyRing } : {}) });
  const lifetimes = { accessTokenSeconds: config.oauthAccessTokenSeconds, refreshTokenSeconds: config.oauthRefreshTokenSeconds, exchangedTokenSeconds: config.oauthExchangedTokenSeconds };
  // the password grant asks the identity providers (LDAP/AD by the username's domain, …) before the local users
  const oauth = await createOAuth({ store, log, onPolicyChange: (s, a) => bundles.onPolicyChange(s, a), secureCookies, lifetimes, route: (u, d) => identity.registry.route(u, d), ...(o.now ? { now: o.now } : {}), ...(keyRing ? { keyRing } : {}), throttle: auth.throttle });
  return { env, log, store, metrics, bundles, sidecar, failures, auth, identity, oauth, bound };
}

type Parts = Awaited<ReturnType<typeof openParts>>;

/** The Express app: every endpoint (one OpenAPI document), the docs, the injection webhook, the OAuth routes. */
function buildApp(config: AdminConfig, p: Parts): { app: Express; document: Record<string, unknown> } {
  const { store, bundles, metrics, env, log } = p;
  const endpoints: EndpointSpec<never, never, never>[] = [
    ...p.auth.endpoints,
    ...p.identity.endpoints,
    ...resourceEndpoints({ store, onPolicyChange: (service, actor) => bundles.onPolicyChange(service, actor) }),
    ...bundles.endpoints,
    ...p.sidecar.endpoints,
    ...accessLogEndpoints({ store }),
    ...accessLogStatsEndpoints({ store }),
    ...liveTailEndpoints({ store }),
    ...auditEndpoints({ store }),
    ...opsEndpoints({ store, metrics, metricsPublic: config.metricsPublic === 'true' }),
    ...p.oauth.endpoints,
  ];
  const { all, document } = withOpenApi(endpoints, { version: VERSION, ...(config.publicUrl ? { serverUrl: config.publicUrl } : {}) });
  const app = createApp({
    endpoints: all,
    guard: p.auth.guard,
    log,
    bodyLimit: '8mb',
    observe: metrics.http,
    onError: metrics.storeError,
    mount: (a) => {
      p.oauth.mount(a);
      if (config.trustProxy > 0) a.set('trust proxy', config.trustProxy);
      if (config.tlsCert) a.use(hsts);
      mountApiDocs(a, document);
      mountSidecarInjector(a, env, log);
    },
    // The console at / (when admin-ui is built), after every endpoint; otherwise / shows the API docs.
    fallback: (a) => {
      if (!mountConsole(a, env.AGENTCORE_CONSOLE_DIR || undefined)) a.get('/', (_req, res) => res.redirect(302, '/docs/'));
    },
  });
  return { app, document };
}

/** Starts the control plane on `config`; close() drains and closes everything it opened. */
export async function startAdmin(config: AdminConfig, o: AdminStartOptions = {}): Promise<AdminHandle> {
  const p = await openParts(config, o);
  const { log, store } = p;
  const boot = await p.auth.bootstrapOwner(p.env.AGENTCORE_ADMIN_PASSWORD || undefined);
  const { app, document } = buildApp(config, p);
  const retention = startRetention({ store, log, retentionDays: config.accessLogRetentionDays });

  const tls = config.tlsCert ? createTlsServer(app, { certFile: config.tlsCert, keyFile: config.tlsKey!, reloadIntervalMs: config.tlsReloadIntervalMs }, log) : undefined;
  const server = await listen(app, config.listen.port, config.listen.host, tls as { server: Server } | undefined);
  const a = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  p.bound.url = url;
  await p.oauth.setIssuer(config.publicUrl ?? url);
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
        p.oauth.close();
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await p.bundles.close();
        await p.identity.close();
        await p.failures.close();
        server.closeAllConnections();
        await stopped;
        await store.close();
        log.info('agentcore-admin stopped');
        log.flush();
      })()),
  };
}
