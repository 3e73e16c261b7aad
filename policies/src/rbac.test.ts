import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { authorize, compileRbac, permissionMatches, type Principal } from './rbac.js';
import type { Role } from './schema.js';

const role = (name: string, permissions: string[], inherits: string[] = []): Role => ({ name, permissions, inherits });

const roles: Role[] = [
  role('viewer', ['agents:read', 'tools:read']),
  role('editor', ['agents:write'], ['viewer']),
  role('admin', ['*']),
  role('tool-admin', ['tools:*']),
  role('auditor', ['*:read']),
  role('lead', [], ['editor', 'tool-admin']),
  role('orphan', ['jobs:run'], ['does-not-exist']),
  role('a', ['a:x'], ['b']),
  role('b', ['b:x'], ['a']),
  role('all-wild', ['*:*']),
];
const rbac = compileRbac(roles);

describe('permissionMatches', () => {
  it.each([
    ['*', 'agents:read', true],
    ['agents:*', 'agents:read', true],
    ['agents:*', 'tools:read', false],
    ['*:read', 'agents:read', true],
    ['*:read', 'agents:write', false],
    ['*:*', 'agents:write', true],
    ['agents:read', 'agents:read', true],
    ['agents:read', 'agents:reads', false],
    ['agents:read', 'agent:read', false],
    ['agents', 'agents:read', false],
    ['agents:read', 'agents', false],
  ])('%s covers %s → %s', (pattern, permission, expected) => {
    expect(permissionMatches(pattern, permission)).toBe(expected);
  });
});

describe('compileRbac', () => {
  it.each([
    [['viewer'], 'agents:read', true],
    [['viewer'], 'agents:write', false],
    [['editor'], 'agents:read', true], // inherited
    [['editor'], 'agents:write', true],
    [['admin'], 'anything:at-all', true],
    [['tool-admin'], 'tools:delete', true],
    [['tool-admin'], 'agents:delete', false],
    [['auditor'], 'billing:read', true],
    [['auditor'], 'billing:write', false],
    [['lead'], 'tools:delete', true], // two levels, two parents
    [['lead'], 'agents:read', true],
    [['lead'], 'billing:read', false],
    [['orphan'], 'jobs:run', true], // unknown parent ignored
    [['a'], 'b:x', true], // cycle: no loop, union of the cycle
    [['b'], 'a:x', true],
    [['all-wild'], 'x:y', true],
    [['nobody'], 'agents:read', false], // unknown role grants nothing
    [[], 'agents:read', false],
    [['nobody', 'viewer'], 'agents:read', true],
    [['viewer', 'tool-admin'], 'tools:write', true],
  ])('roles %j grant %s → %s', (principalRoles, permission, expected) => {
    expect(rbac.grants(principalRoles, permission)).toBe(expected);
  });

  it('lists effective permissions with inherited ones, sorted and unique', () => {
    expect(rbac.effectivePermissions('lead')).toEqual(['agents:read', 'agents:write', 'tools:*', 'tools:read']);
    expect(rbac.effectivePermissions('a')).toEqual(['a:x', 'b:x']);
    expect(rbac.effectivePermissions('nobody')).toEqual([]);
  });

  it('does not throw on a self-cycle or duplicate names (first wins)', () => {
    const c = compileRbac([role('x', ['x:a'], ['x']), role('x', ['*'])]);
    expect(c.grants(['x'], 'x:a')).toBe(true);
    expect(c.grants(['x'], 'y:a')).toBe(false);
  });

  it('does not treat a role name containing separators as a combination of roles', () => {
    expect(rbac.grants(['viewer tool-admin', 'viewer,admin'], 'agents:read')).toBe(false);
  });

  const part = fc.constantFrom('a', 'b', 'c');
  const pattern = fc.oneof(fc.constant('*'), fc.tuple(fc.oneof(part, fc.constant('*')), fc.oneof(part, fc.constant('*'))).map(([r, a]) => `${r}:${a}`));
  const names = ['r0', 'r1', 'r2', 'r3', 'r4'];
  const roleArb = fc.record({
    permissions: fc.array(pattern, { maxLength: 3 }),
    inherits: fc.array(fc.constantFrom(...names, 'ghost'), { maxLength: 3 }),
  });

  it('agrees with a naive closure + permissionMatches on random role graphs (cycles included)', () => {
    fc.assert(
      fc.property(fc.tuple(...names.map(() => roleArb)), fc.subarray([...names, 'ghost']), part, part, (defs, held, r, a) => {
        const rs = defs.map((d, i) => role(names[i] as string, d.permissions, d.inherits));
        const c = compileRbac(rs);
        const perm = `${r}:${a}`;
        const closure = (start: string): Set<string> => {
          const seen = new Set<string>();
          const walk = (n: string): void => {
            if (seen.has(n)) return;
            seen.add(n);
            for (const p of rs.find((x) => x.name === n)?.inherits ?? []) walk(p);
          };
          walk(start);
          return seen;
        };
        const expected = held.some((h) => [...closure(h)].some((n) => rs.find((x) => x.name === n)?.permissions.some((p) => permissionMatches(p, perm))));
        expect(c.grants(held, perm)).toBe(expected);
      }),
    );
  });
});

describe('authorize', () => {
  const alice: Principal = { id: 'alice', roles: ['viewer'], scopes: ['agents.read'] };
  const route = (permissions: string[], scopes: string[] = [], required = true) => ({ auth: { required }, permissions, scopes });

  it.each([
    ['public route, no principal', null, route([], [], false), { allow: true, reason: 'PUBLIC_ROUTE' }],
    ['public route, with principal', alice, route([], [], false), { allow: true, reason: 'PUBLIC_ROUTE' }],
    ['granted', alice, route(['agents:read'], ['agents.read']), { allow: true, reason: 'GRANTED' }],
    ['no requirements', alice, route([]), { allow: true, reason: 'GRANTED' }],
  ] as const)('%s', (_name, principal, r, expected) => {
    expect(authorize(rbac, principal, r)).toEqual(expected);
  });

  it.each([undefined, null])('denies a protected route without a principal (%s)', (p) => {
    const d = authorize(rbac, p, route([]));
    expect(d).toMatchObject({ allow: false, reason: 'NO_CREDENTIALS', missing: [] });
  });

  it('lists every missing permission with guidance', () => {
    const d = authorize(rbac, alice, route(['agents:read', 'agents:write', 'agents:delete']));
    expect(d).toEqual({
      allow: false,
      reason: 'MISSING_PERMISSION',
      missing: ['agents:write', 'agents:delete'],
      message: 'requires permissions agents:write, agents:delete; your roles (viewer) grant none of them',
    });
  });

  it('says so when the principal has no roles', () => {
    const d = authorize(rbac, { id: 'x', roles: [], scopes: [] }, route(['agents:write']));
    expect(d).toMatchObject({ reason: 'MISSING_PERMISSION', missing: ['agents:write'], message: 'requires permission agents:write; you have no roles' });
  });

  it('checks scopes after permissions', () => {
    const d = authorize(rbac, alice, route(['agents:read'], ['agents.read', 'agents.write']));
    expect(d).toEqual({
      allow: false,
      reason: 'MISSING_SCOPE',
      missing: ['agents.write'],
      message: 'requires scope agents.write; your credential does not carry it',
    });
    expect(authorize(rbac, alice, route(['agents:write'], ['agents.write']))).toMatchObject({ reason: 'MISSING_PERMISSION' });
  });

  it('grants via any one of several roles, each permission independently', () => {
    const bob: Principal = { id: 'bob', roles: ['unknown', 'viewer', 'tool-admin'], scopes: [] };
    expect(authorize(rbac, bob, route(['agents:read', 'tools:delete']))).toEqual({ allow: true, reason: 'GRANTED' });
  });
});
