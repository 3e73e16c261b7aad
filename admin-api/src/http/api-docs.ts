/** The API's own documentation: the OpenAPI document as an endpoint, and Swagger UI at /docs with its own CSP. */
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { DOCS_INTERCEPTOR_JS } from './docs-interceptor.js';
import { endpoint, type EndpointSpec } from './endpoint.js';
import { openApiDocument } from './openapi.js';

/** `endpoints` plus GET /api/v1/openapi.json serving the document generated from all of them. */
export function withOpenApi(endpoints: readonly EndpointSpec<never, never, never>[], info: { version: string; serverUrl?: string }): { all: EndpointSpec<never, never, never>[]; document: Record<string, unknown> } {
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
  document = openApiDocument(all, info);
  return { all, document };
}

/** The CSP of /docs: scripts only from files of this origin (no inline script); Swagger UI's inline styles allowed. */
export const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/**
 * Swagger UI's request interceptor. Serialised by swagger-ui-express into `swagger-ui-init.js` (a file, not inline)
 * by its source text, so it may only refer to globals: it calls the interceptor of `/docs/agentcore-docs.js`.
 */
const requestInterceptor = function (req: unknown): unknown {
  const w = globalThis as unknown as { agentcoreDocs?: { requestInterceptor(r: unknown): unknown } };
  return w.agentcoreDocs ? w.agentcoreDocs.requestInterceptor(req) : req;
};

/** Mounts Swagger UI on /docs (scripts as files only; "Try it out" writes carry the session's CSRF token). */
export function mountApiDocs(a: Express, document: Record<string, unknown>): void {
  a.use('/docs', (_req, res, next) => {
    res.setHeader('content-security-policy', DOCS_CSP);
    next();
  });
  a.get('/docs/agentcore-docs.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INTERCEPTOR_JS);
  });
  a.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customJs: './agentcore-docs.js', swaggerOptions: { persistAuthorization: true, withCredentials: true, requestInterceptor } }));
}
