/** The API's own documentation: the OpenAPI document as an endpoint, and Swagger UI at /docs with its own CSP. */
import type { Express } from 'express';
import swaggerUi from 'swagger-ui-express';
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

/** Mounts Swagger UI on /docs (inline scripts/styles on its own page; the API keeps the strict defaults) and redirects / to it. */
export function mountApiDocs(a: Express, document: Record<string, unknown>): void {
  a.use('/docs', (_req, res, next) => {
    res.setHeader('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'");
    next();
  });
  a.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { swaggerOptions: { persistAuthorization: true, withCredentials: true } }));
  a.get('/', (_req, res) => res.redirect(302, '/docs/'));
}
