/**
 * The admin API's Express 5 application: case-sensitive, strict routing; JSON bodies only; every
 * error — ours, the store's, the body parser's — answered in the spec's error format from one handler.
 */
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '@agentcore/policies';
import { AdminError } from '../errors.js';
import { StoreError } from '../store/index.js';
import { mountEndpoints, type AccessGuard, type EndpointSpec } from './endpoint.js';

export interface AppParts {
  endpoints: readonly EndpointSpec<never, never, never>[];
  guard: AccessGuard;
  log: Logger;
  /** extra routers mounted before the API (e.g. /docs, the OAuth routes) */
  mount?: (app: Express) => void;
  /** routers mounted after the API, before the 404 answer (the console's pages: a catch-all must not hide an endpoint) */
  fallback?: (app: Express) => void;
  /** JSON body limit (default 1 MiB; access-log batches may need more) */
  bodyLimit?: string;
  /** first middleware of every request (the metrics) */
  observe?: RequestHandler;
  /** sees every error before it is answered (the metrics count store errors) */
  onError?: (err: unknown) => void;
}

/** Maps any thrown value to the AdminError the client sees. */
export function toAdminError(err: unknown): AdminError {
  if (err instanceof AdminError) return err;
  if (err instanceof StoreError) {
    const details = err.issues.length ? { fields: err.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } : {};
    return new AdminError(err.code, err.message, details, { cause: err });
  }
  const e = err as { type?: string; status?: number; message?: string };
  // Express decodes path parameters before any handler runs; `%zz` throws URIError there (issue #9).
  if (err instanceof URIError) return new AdminError('ADMIN_INPUT_INVALID', 'the path holds malformed percent-encoding ("%" must be followed by two hex digits of UTF-8)');
  if (e?.type === 'entity.too.large') return new AdminError('ADMIN_BODY_TOO_LARGE');
  if (e?.type === 'entity.parse.failed') return new AdminError('ADMIN_BODY_INVALID_JSON');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new AdminError('ADMIN_BODY_ENCODING');
  return new AdminError('ADMIN_INTERNAL', undefined, {}, { cause: err });
}

/** Body limit of the unauthenticated login endpoint (POST /api/v1/session). */
export const LOGIN_BODY_LIMIT = '4kb';

export function createApp(parts: AppParts): Express {
  const app = express();
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('query parser', 'simple');
  app.disable('x-powered-by');
  app.disable('etag');

  const requestId: RequestHandler = (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cache-control', 'no-store');
    next();
  };
  if (parts.observe) app.use(parts.observe);
  app.use(requestId);
  parts.mount?.(app);
  // The unauthenticated login takes a small body only: refused (413) before it is read or parsed (issue #9).
  app.use('/api/v1/session', express.json({ limit: LOGIN_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use('/api', express.json({ limit: parts.bodyLimit ?? '1mb', strict: true, type: ['application/json', 'application/*+json'] }));

  const api = express.Router({ caseSensitive: true, strict: true });
  mountEndpoints(api, parts.endpoints, parts.guard);
  app.use(api);
  parts.fallback?.(app);

  app.use((req, _res, next) => next(new AdminError('ADMIN_NO_ENDPOINT', `no endpoint ${req.method} ${req.path}; see /api/v1/openapi.json`)));
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    parts.onError?.(err);
    const e = toAdminError(err);
    if (e.status >= 500) parts.log.error({ err: e.cause ?? e, request_id: res.locals.requestId, method: req.method, path: req.path }, 'admin API error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (e.headers) for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).type('application/json').send(errorBody(e.publicCode, e.message, res.locals.requestId as string, e.details, Date.now()));
  };
  app.use(onError);
  return app;
}
