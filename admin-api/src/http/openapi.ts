/** The OpenAPI 3.1 document, generated from the endpoint declarations (zod → JSON Schema). */
import { ErrorBodySchema, PUBLIC_ERROR_STATUS } from '@agentcore/policies';
import { z } from 'zod';
import { ADMIN_ERRORS } from '../admin-errors.js';
import type { EndpointSpec } from './endpoint.js';

const ErrorBody = ErrorBodySchema.meta({ id: 'Error', description: 'The spec error format. `error.code` is the public code; the stable ADMIN_* codes behind each are listed in x-agentcore-errors.' });
const ERROR_RESPONSE = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** The error section: each stable ADMIN_* code with its public code, HTTP status and meaning (from the ADMIN_ERRORS table). */
export function errorCatalogue(): { code: string; public: string; status: number; description: string }[] {
  return Object.entries(ADMIN_ERRORS).map(([code, e]) => ({ code, public: e.public, status: PUBLIC_ERROR_STATUS[e.public], description: e.message }));
}

/** Named schemas (`.meta({ id })`) collected from every generated schema, served as components. */
let components: Record<string, unknown> = {};

/** Rewrites zod's `#/$defs/X` references to `#/components/schemas/X` (the document's root is OpenAPI, not the schema). */
function hoistRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hoistRefs);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/')) out[k] = `#/components/schemas/${x.slice(8)}`;
      else out[k] = hoistRefs(x);
    }
    return out;
  }
  return v;
}

const jsonSchema = (s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const raw = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete raw.$schema;
  const defs = raw.$defs as Record<string, unknown> | undefined;
  delete raw.$defs;
  if (defs) for (const [name, def] of Object.entries(defs)) components[name] ??= hoistRefs(def);
  // A named schema at the top comes back with its id; refer to it as a component.
  const id = raw.id;
  if (typeof id === 'string') {
    delete raw.id;
    components[id] ??= hoistRefs(raw);
    return { $ref: `#/components/schemas/${id}` };
  }
  return hoistRefs(raw) as Record<string, unknown>;
};

function objectShape(s: z.ZodType | undefined): Record<string, z.ZodType> {
  if (!s) return {};
  const def = (s as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return def ?? {};
}

function parameters(e: EndpointSpec, where: 'path' | 'query', s: z.ZodType | undefined): unknown[] {
  const shape = objectShape(s);
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || !schema.safeParse(undefined).success,
    schema: jsonSchema(schema, 'input'),
    ...(schema.description ? { description: schema.description } : {}),
  }));
}

/** Methods that change something: with a session they also need the X-CSRF-Token header. */
const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

const SECURITY: Record<string, unknown[]> = {
  public: [],
  sidecar: [{ sidecarToken: [] }],
};

/** Builds the document for a set of endpoints. */
export function openApiDocument(endpoints: readonly EndpointSpec<never, never, never>[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  components = {};
  const errorSchema = jsonSchema(ErrorBody, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints as readonly EndpointSpec[]) {
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(e.responses)) {
      const own = r.schema || r.contentType ? { [r.contentType ?? 'application/json']: { ...(r.schema ? { schema: jsonSchema(r.schema, 'output') } : {}), ...(r.example !== undefined ? { example: r.example } : {}) } } : undefined;
      // Every documented error answers with the spec error body.
      const content = Number(status) >= 400 ? ERROR_RESPONSE : own;
      responses[status] = { description: r.description, ...(content ? { content } : {}) };
    }
    responses.default = { description: 'Error (the spec error format)', content: ERROR_RESPONSE };
    const op: Record<string, unknown> = {
      operationId: e.operationId,
      summary: e.summary,
      tags: e.tags,
      parameters: [...parameters(e, 'path', e.params), ...parameters(e, 'query', e.query)],
      responses,
      security: SECURITY[e.access] ?? (UNSAFE.has(e.method) ? [{ sessionCookie: [], csrfToken: [] }, { bearerToken: [] }] : [{ sessionCookie: [] }, { bearerToken: [] }]),
      'x-agentcore-access': e.access,
    };
    if (e.description) op.description = e.description;
    if (e.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(e.body, 'input'), ...(e.bodyExample !== undefined ? { example: e.bodyExample } : {}) } } };
    }
    (paths[e.path] ??= {})[e.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AgentCore Gateway admin API',
      version: info.version,
      description:
        'The control plane: manage policy objects, publish signed bundles to sidecars, search access logs. Errors use the spec format. ' +
        'Field names: every JSON field and query parameter of /api/v1 is camelCase (createdAt, expiresAt, csrfToken, overlapSeconds…). ' +
        'snake_case remains only where a spec fixes it: the error body (`request_id`) and the sidecar sync protocol of /api/v1/sidecar/* (docs/bundle-sync.md).',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    'x-agentcore-errors': errorCatalogue(),
    components: {
      schemas: { ...components, ...(errorSchema.$ref ? {} : { Error: errorSchema }) },
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'agentcore_session', description: 'Console session from POST /api/v1/session (HttpOnly, SameSite=Strict); POST/PUT/PATCH/DELETE also need the X-CSRF-Token header. On /docs: "Try it out" on POST /api/v1/session logs the browser in, and the page adds X-CSRF-Token to writes by itself.' },
        csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The `csrfToken` of your session (in the answers of POST and GET /api/v1/session); needed with the session cookie on POST/PUT/PATCH/DELETE. /docs fills it in.' },
        bearerToken: { type: 'http', scheme: 'bearer', description: 'Personal access token (agc_pat_…) for automation: create one with POST /api/v1/tokens while logged in (e.g. from /docs), then paste it under Authorize → bearerToken. Bearer requests need no CSRF token.' },
        sidecarToken: { type: 'http', scheme: 'bearer', description: 'Per-service sidecar credential.' },
      },
    },
  };
}
