/**
 * A service's routes, upstreams, roles, rate limits and JWT issuers. Each
 * definition is validated alone by its policies schema on write; references
 * between them (route → upstream, role → inherited role…) are checked when the
 * bundle is compiled, because they may be created in any order.
 */
import { Identifier, JwtIssuer, RateLimit, Role, Route, Upstream } from '@agentcore/policies';
import { serviceResourceRepo } from './service-resource-repo.js';

/** Routes, keyed by `route.id`. */
export const routesRepo = serviceResourceRepo({ table: 'routes', noun: 'route', schema: Route, idOf: (r) => r.id, idField: 'id' });

/** Upstreams, keyed by their name (the key of `upstreams` in the bundle), given apart from the definition. */
export const upstreamsRepo = serviceResourceRepo({ table: 'upstreams', noun: 'upstream', schema: Upstream, idSchema: Identifier, idField: 'name' });

/** Roles, keyed by `role.name`. */
export const rolesRepo = serviceResourceRepo({ table: 'roles', noun: 'role', schema: Role, idOf: (r) => r.name, idField: 'name' });

/** Rate limits and quotas, keyed by `rateLimit.id`. */
export const rateLimitsRepo = serviceResourceRepo({ table: 'rate_limits', noun: 'rate limit', schema: RateLimit, idOf: (r) => r.id, idField: 'id' });

/** Trusted JWT issuers, keyed by `issuer.id`. */
export const jwtIssuersRepo = serviceResourceRepo({ table: 'jwt_issuers', noun: 'JWT issuer', schema: JwtIssuer, idOf: (j) => j.id, idField: 'id' });
