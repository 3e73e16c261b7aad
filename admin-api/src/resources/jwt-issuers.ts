/** JWT issuers of a service: CRUD endpoints from the shared definition factory. */
import { JwtIssuer } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { jwtIssuersRepo } from '../store/index.js';
import { definitionEndpoints, type DefinitionKind } from './crud.js';
import type { ResourceDeps } from './resource-deps.js';

/** Trusted JWT issuers (security admins). */
export const jwtIssuerKind: DefinitionKind<typeof JwtIssuer> = {
  repo: jwtIssuersRepo,
  schema: JwtIssuer,
  segment: 'jwt-issuers',
  type: 'jwt-issuer',
  noun: 'JWT issuer',
  plural: 'JWT issuers',
  operation: 'JwtIssuer',
  access: 'security:write',
  idField: 'id',
  example: { id: 'corp-idp', issuer: 'https://idp.example.com/', audiences: ['orders-api'], jwksUri: 'https://idp.example.com/.well-known/jwks.json' },
};

/** GET/POST jwtIssuers collection and GET/PUT/DELETE one. */
export const jwtIssuerEndpoints = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, jwtIssuerKind);
