/** Roles of a service: CRUD endpoints from the shared definition factory. */
import { Role } from '@agentcore/policies';
import type { EndpointSpec } from '../http/endpoint.js';
import { rolesRepo } from '../store/index.js';
import { definitionEndpoints, type DefinitionKind } from './crud.js';
import { roleReferences } from './references.js';
import type { ResourceDeps } from './resource-deps.js';

/** Roles and their permissions (security admins). */
export const roleKind: DefinitionKind<typeof Role> = {
  repo: rolesRepo,
  schema: Role,
  segment: 'roles',
  type: 'role',
  noun: 'role',
  plural: 'roles',
  operation: 'Role',
  access: 'security:write',
  idField: 'name',
  references: roleReferences,
  example: { name: 'order-reader', description: 'reads orders', permissions: ['orders:read'], inherits: [] },
};

/** GET/POST roles collection and GET/PUT/DELETE one. */
export const roleEndpoints = (deps: ResourceDeps): EndpointSpec<never, never, never>[] => definitionEndpoints(deps, roleKind);
