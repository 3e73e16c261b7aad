/** The policy-object endpoints of the admin API (/api/v1/services/… and /api/v1/principals/…). */
import type { EndpointSpec } from '../http/endpoint.js';
import { apiKeyEndpoints } from './api-keys.js';
import { jwtIssuerEndpoints } from './jwt-issuers.js';
import { principalEndpoints } from './principals.js';
import { rateLimitEndpoints } from './rate-limits.js';
import type { ResourceDeps } from './resource-deps.js';
import { roleEndpoints } from './roles.js';
import { routeEndpoints } from './routes.js';
import { serviceSettingsEndpoints } from './service-settings.js';
import { serviceEndpoints } from './services.js';
import { upstreamEndpoints } from './upstreams.js';

export type { ResourceDeps } from './resource-deps.js';

/** Every resource endpoint, ready for createApp and the OpenAPI document. */
export function resourceEndpoints(deps: ResourceDeps): EndpointSpec<never, never, never>[] {
  return [
    ...serviceEndpoints(deps),
    ...serviceSettingsEndpoints(deps),
    ...routeEndpoints(deps),
    ...upstreamEndpoints(deps),
    ...roleEndpoints(deps),
    ...rateLimitEndpoints(deps),
    ...jwtIssuerEndpoints(deps),
    ...apiKeyEndpoints(deps),
    ...principalEndpoints(deps),
  ];
}
