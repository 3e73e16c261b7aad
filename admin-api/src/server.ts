/**
 * Assembles the control plane: store, auth, resources, bundle publishing and sidecar sync, access
 * logs, the OpenAPI document and interactive docs, on one Express app.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type DestinationStream, type Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import { accessLogEndpoints, liveTailEndpoints, startRetention } from './access-logs/index.js';
import { auditEndpoints } from './audit/index.js';
import { createAuth } from './auth/index.js';
import { createBundleService, createPostgresNotifier, type ChangeNotifier } from './bundles/index.js';
import type { AdminConfig } from './config.js';
import { createApp } from './http/app.js';
import { mountConsole } from './http/console-static.js';
import { endpoint, type EndpointSpec } from './http/endpoint.js';
import { openApiDocument } from './http/openapi.js';
import { resourceEndpoints } from './resources/index.js';
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
}

const VERSION = '0.1.0';

export async function startAdmin(config: AdminConfig, o: AdminStartOptions = {}): Promise<AdminHandle> {
  const env = o.env ?? process.env;
  const log: Logger = pino({ level: config.logLevel, base: { svc: 'agentcore-admin' }, timestamp: pino.stdTimeFunctions.isoTime }, o.logDestination ?? pino.destination(1));
  const store = await openStore(config.database);
  const secureCookies = config.secureCookies === 'auto' ? config.publicUrl?.startsWith('https:') === true : config.secureCookies === 'true';
  const notifier: ChangeNotifier | undefined = store.dialect === 'postgres' ? await createPostgresNotifier(config.database, log) : undefined;
  const bundles = await createBundleService({ store, log, ...(notifier ? { notifier } : {}) });
  const auth = await createAuth(store, { log, secureCookies });
  auth.setSidecarVerifier((req) => bundles.verifySidecar(req));
  const boot = await auth.bootstrapOwner(env.AGENTCORE_ADMIN_PASSWORD || undefined);

  const endpoints: EndpointSpec<never, never, never>[] = [
    ...auth.endpoints,
    ...resourceEndpoints({ store, onPolicyChange: (service, actor) => bundles.onPolicyChange(service, actor) }),
    ...bundles.endpoints,
    ...accessLogEndpoints({ store }),
    ...liveTailEndpoints({ store }),
    ...auditEndpoints({ store }),
  ];
  let document: Record<string, unknown> = {};
  const openapiEndpoint = endpoint({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI 3.1 document',
    tags: ['docs'],
    access: 'public',
    responses: { 200: { description: 'The OpenAPI document' } },
    handler: async () => ({ body: document }),
  });
  const all = [...endpoints, openapiEndpoint as EndpointSpec<never, never, never>];
  document = openApiDocument(all, { version: VERSION, ...(config.publicUrl ? { serverUrl: config.publicUrl } : {}) });

  const app = createApp({
    endpoints: all,
    guard: auth.guard,
    log,
    bodyLimit: '8mb',
    mount: (a) => {
      if (config.trustProxy > 0) a.set('trust proxy', config.trustProxy);
      // Swagger UI needs inline scripts/styles on its own page; the API keeps the strict defaults.
      a.use('/docs', (_req, res, next) => {
        res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
        next();
      });
      a.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { swaggerOptions: { persistAuthorization: true, withCredentials: true } }));
      // The console at / (when admin-ui is built); otherwise / shows the API docs.
      if (!mountConsole(a, env.AGENTCORE_CONSOLE_DIR || undefined)) a.get('/', (_req, res) => res.redirect(302, '/docs/'));
    },
  });
  const retention = startRetention({ store, log, retentionDays: config.accessLogRetentionDays });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.listen.port, config.listen.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  // Long-polls hold requests open up to the sidecar's wait; keep the server's own limits above it.
  server.requestTimeout = 0;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 65_000;
  const a = server.address() as AddressInfo;
  const url = `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
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
