/**
 * Endpoints are declared once, as data with zod schemas: the same declaration mounts the Express
 * route (validation, access check, ETag helpers) and produces the OpenAPI 3.1 document.
 */
import type { NextFunction, Request, Response, Router } from 'express';
import type { z } from 'zod';
import type { Actor, AdminPermission } from '../auth/admin-roles.js';
import { AdminError, invalidInput } from '../errors.js';

/** Who may call an endpoint: an admin permission, any logged-in admin, a sidecar credential, or anyone. */
export type Access = AdminPermission | 'authenticated' | 'sidecar' | 'public';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
  example?: unknown;
}

export interface EndpointContext<P, Q, B> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** the authenticated admin; undefined on public and sidecar endpoints */
  actor: Actor | undefined;
}

/** What a handler returns; `undefined` when it wrote the response itself (streams). */
export interface EndpointResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** sets `ETag: "v<version>"` */
  version?: number;
}

export interface EndpointSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI form: `/api/v1/services/{service}` */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  bodyExample?: unknown;
  responses: Record<number, ResponseSpec>;
  handler(ctx: EndpointContext<P, Q, B>): Promise<EndpointResult | undefined>;
}

/** Declares an endpoint with inferred types. */
export function endpoint<P = Record<string, never>, Q = Record<string, never>, B = undefined>(spec: EndpointSpec<P, Q, B>): EndpointSpec<P, Q, B> {
  return spec;
}

/** Resolves the caller and enforces `access`; supplied by the auth module. */
export type AccessGuard = (req: Request, access: Access, endpoint: EndpointSpec) => Promise<Actor | undefined>;

const expressPath = (p: string): string => p.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalidInput(
    `invalid ${where}`,
    r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
  );
}

/** `If-Match: "v3"` → 3; absent → undefined; malformed → 400. `*` → undefined (any version). */
export function expectedVersion(req: Request): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"v(\d{1,15})"\s*$/.exec(h);
  if (!m) throw new AdminError('ADMIN_IF_MATCH_INVALID');
  return Number(m[1]);
}

export const etagOf = (version: number): string => `"v${version}"`;

/** Mounts endpoints on a router. */
export function mountEndpoints(router: Router, endpoints: readonly EndpointSpec<never, never, never>[], guard: AccessGuard): void {
  for (const e of endpoints as readonly EndpointSpec[]) {
    router[e.method](expressPath(e.path), (req: Request, res: Response, next: NextFunction) => {
      res.locals.operation = e.operationId; // the metrics' operation label
      (async () => {
        const actor = await guard(req, e.access, e);
        const params = parse(e.params, req.params, 'params');
        const query = parse(e.query, req.query, 'query');
        if (e.body && !req.is('application/json') && ['post', 'put', 'patch'].includes(e.method)) {
          throw new AdminError('ADMIN_MEDIA_TYPE');
        }
        const body = parse(e.body, req.body, 'body');
        const result = await e.handler({ req, res, params, query, body, actor });
        if (!result || res.headersSent) return;
        if (result.headers) for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
        if (result.version !== undefined) res.setHeader('etag', etagOf(result.version));
        res.status(result.status ?? 200);
        if (result.body === undefined) res.end();
        else res.json(result.body);
      })().catch(next);
    });
  }
}
