/** A service's CORS, security headers, logging and limits: GET, and PUT replacing all four (absent = null = bundle default). */
import { CorsPolicy, Logging, SecurityHeaders } from '@agentcore/policies';
import { z } from 'zod';
import { endpoint, expectedVersion, type EndpointSpec } from '../http/endpoint.js';
import { getServiceSettings, updateServiceSettings, type ServiceSettings } from '../store/index.js';
import { actorOf, applyChange } from './audited-change.js';
import { isoTime } from './list-query.js';
import type { ResourceDeps } from './resource-deps.js';

const Limits = z.strictObject({ maxBodyBytes: z.int().min(0).default(1024 * 1024) });

/** The whole settings document; a section left out or null falls back to the bundle default. */
const SettingsBody = z.strictObject({
  cors: CorsPolicy.nullable().default(null),
  securityHeaders: SecurityHeaders.nullable().default(null),
  logging: Logging.nullable().default(null),
  limits: Limits.nullable().default(null),
});

const SettingsView = z.object({
  service: z.string(),
  cors: CorsPolicy.nullable(),
  securityHeaders: SecurityHeaders.nullable(),
  logging: Logging.nullable(),
  limits: Limits.nullable(),
  updatedAt: z.string(),
  version: z.int(),
});
const Params = z.object({ service: z.string().min(1).max(253).describe('service name') });

const sections = (s: ServiceSettings) => ({ cors: s.cors, securityHeaders: s.securityHeaders, logging: s.logging, limits: s.limits });
const view = (s: ServiceSettings) => ({ service: s.service, ...sections(s), updatedAt: isoTime(s.updatedAt), version: s.version });

/** GET and PUT /services/{service}/settings. */
export function serviceSettingsEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  const tags = ['settings'];
  const path = '/api/v1/services/{service}/settings';
  return [
    endpoint({
      method: 'get',
      path,
      operationId: 'getServiceSettings',
      summary: 'Get the CORS, security-header, logging and limit settings of a service (ETag: their version)',
      tags,
      access: 'read',
      params: Params,
      responses: { 200: { description: 'the settings; null sections use the bundle defaults', schema: SettingsView } },
      async handler({ params }) {
        const s = await getServiceSettings(deps.store, params.service);
        return { body: view(s), version: s.version };
      },
    }),
    endpoint({
      method: 'put',
      path,
      operationId: 'replaceServiceSettings',
      summary: 'Replace the settings of a service (a section left out becomes null; If-Match honoured)',
      tags,
      access: 'platform:write',
      params: Params,
      body: SettingsBody,
      bodyExample: { cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true }, securityHeaders: { frameOptions: 'DENY' }, logging: { level: 'standard' }, limits: { maxBodyBytes: 1048576 } },
      responses: { 200: { description: 'the settings as stored now', schema: SettingsView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const expected = expectedVersion(ctx.req);
        const service = ctx.params.service;
        const updated = await applyChange(deps, actor, async (trx) => {
          const before = await getServiceSettings(trx, service);
          const s = await updateServiceSettings(trx, service, ctx.body, expected);
          return { result: s, services: [service], audit: { action: 'settings.update', resourceType: 'settings', resourceId: service, before: sections(before), after: sections(s) } };
        });
        return { body: view(updated), version: updated.version };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
