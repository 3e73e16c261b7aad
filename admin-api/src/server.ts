/**
 * Assembles the control plane: store, auth, resources, bundle publishing and sidecar sync, access
 * logs, the OAuth 2.0 authorization server, the OpenAPI document and interactive docs, on one Express app.
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
import { createOAuth } from './oauth/index.js';
import { mountApiDocs, withOpenApi } from './http/api-docs.js';
import type { EndpointSpec } from './http/endpoint.js';
import { resourceEndpoints } from './resources/index.js';
import { createSidecarContract } from './sidecar/index.js';
import { openStore, type Store } from './store/index.js';

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

/** Listens; long-polls hold requests open up to the sidecar's wait, so the server's own limits stay above it. */
async function listen(app: Express, port: number, host: string): Promise<Server> {
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
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
  const secureCookies = config.secureCookies === 'auto' ? config.publicUrl?.startsWith('https:') === true : config.secureCookies === 'true';
  const notifier: ChangeNotifier | undefined = store.dialect === 'postgres' ? await createPostgresNotifier(config.database, log) : undefined;
  const bundles = await createBundleService({ store, log, ...(notifier ? { notifier } : {}) });
  const sidecar = createSidecarContract({ store, waiters: bundles.waiters, log });
  const auth = await createAuth(store, { log, secureCookies, verifySidecar: sidecar.verifySidecar });
  const boot = await auth.bootstrapOwner(env.AGENTCORE_ADMIN_PASSWORD || undefined);
  const lifetimes = { accessTokenSeconds: config.oauthAccessTokenSeconds, refreshTokenSeconds: config.oauthRefreshTokenSeconds, exchangedTokenSeconds: config.oauthExchangedTokenSeconds };
  const oauth = await createOAuth({ store, log, onPolicyChange: (s, a) => bundles.onPolicyChange(s, a), secureCookies, lifetimes, ...(o.now ? { now: o.now } : {}) });

  const endpoints: EndpointSpec<never, never, never>[] = [
    ...auth.endpoints,
    ...resourceEndpoints({ store, onPolicyChange: (service, actor) => bundles.onPolicyChange(service, actor) }),
    ...bundles.endpoints,
    ...sidecar.endpoints,
    ...accessLogEndpoints({ store }),
    ...auditEndpoints({ store }),
    ...oauth.endpoints,
  ];
  const { all, document } = withOpenApi(endpoints, { version: VERSION, ...(config.publicUrl ? { serverUrl: config.publicUrl } : {}) });
  const app = createApp({
    endpoints: all,
    guard: auth.guard,
    log,
    bodyLimit: '8mb',
    mount: (a) => {
      oauth.mount(a);
      if (config.trustProxy > 0) a.set('trust proxy', config.trustProxy);
      mountApiDocs(a, document);
    },
  });
  const retention = startRetention({ store, log, retentionDays: config.accessLogRetentionDays });

  const server = await listen(app, config.listen.port, config.listen.host);
  const a = server.address() as AddressInfo;
  const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  await oauth.setIssuer(config.publicUrl ?? url);
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
        oauth.close();
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await bundles.close();
        server.closeAllConnections();
        await stopped;
        await store.close();
        log.info('agentcore-admin stopped');
        log.flush();
      })()),
  };
}
