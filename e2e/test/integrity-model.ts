/**
 * The model of the integrity property test (issue #10): random admin-API writes over a small pool of names, what
 * the API must answer to each (given the model state), and which API keys a published bundle must let through.
 */
import fc from 'fast-check';

export type Cmd =
  | { op: 'createRole'; name: string; inherits: string[] }
  | { op: 'updateRole'; name: string; inherits: string[] }
  | { op: 'deleteRole'; name: string; cascade: boolean }
  | { op: 'createPrincipal'; id: string }
  | { op: 'setDisabled'; id: string; disabled: boolean }
  | { op: 'deletePrincipal'; id: string; cascade: boolean }
  | { op: 'createKey'; principal: string; roles: string[] }
  | { op: 'revokeKey'; pick: number }
  | { op: 'deleteKey'; pick: number }
  | { op: 'createLimit'; id: string }
  | { op: 'deleteLimit'; id: string; cascade: boolean }
  | { op: 'createRoute'; id: string; limits: string[] };

const ROLES = ['r0', 'r1', 'r2'];
const PRINCIPALS = ['p0', 'p1', 'p2'];
const LIMITS = ['l0', 'l1'];
const ROUTES = ['rt0', 'rt1', 'rt2'];
const some = (pool: string[]) => fc.uniqueArray(fc.constantFrom(...pool), { maxLength: 2 });

/** Every run starts from this state (through the API like the random writes): two principals with a key each, two roles, a limit. */
export const BASELINE: Cmd[] = [
  { op: 'createPrincipal', id: 'p0' },
  { op: 'createPrincipal', id: 'p1' },
  { op: 'createRole', name: 'r0', inherits: [] },
  { op: 'createRole', name: 'r1', inherits: ['r0'] },
  { op: 'createLimit', id: 'l0' },
  { op: 'createRoute', id: 'rt0', limits: ['l0'] },
  { op: 'createKey', principal: 'p0', roles: ['r0'] },
  { op: 'createKey', principal: 'p1', roles: ['r1'] },
];

/** One random write; names come from small pools so references hit and miss often. */
export const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ op: fc.constant('createRole' as const), name: fc.constantFrom(...ROLES), inherits: some(ROLES) }),
  fc.record({ op: fc.constant('updateRole' as const), name: fc.constantFrom(...ROLES), inherits: some(ROLES) }),
  fc.record({ op: fc.constant('deleteRole' as const), name: fc.constantFrom(...ROLES), cascade: fc.boolean() }),
  fc.record({ op: fc.constant('createPrincipal' as const), id: fc.constantFrom(...PRINCIPALS) }),
  fc.record({ op: fc.constant('setDisabled' as const), id: fc.constantFrom(...PRINCIPALS), disabled: fc.boolean() }),
  fc.record({ op: fc.constant('deletePrincipal' as const), id: fc.constantFrom(...PRINCIPALS), cascade: fc.boolean() }),
  fc.record({ op: fc.constant('createKey' as const), principal: fc.constantFrom(...PRINCIPALS), roles: some(ROLES) }),
  fc.record({ op: fc.constant('createKey' as const), principal: fc.constantFrom(...PRINCIPALS), roles: some(ROLES) }),
  fc.record({ op: fc.constant('revokeKey' as const), pick: fc.nat(20) }),
  fc.record({ op: fc.constant('deleteKey' as const), pick: fc.nat(20) }),
  fc.record({ op: fc.constant('createLimit' as const), id: fc.constantFrom(...LIMITS) }),
  fc.record({ op: fc.constant('deleteLimit' as const), id: fc.constantFrom(...LIMITS), cascade: fc.boolean() }),
  fc.record({ op: fc.constant('createRoute' as const), id: fc.constantFrom(...ROUTES), limits: some(LIMITS) }),
);

export interface ModelKey {
  id: string;
  secret: string;
  principal: string;
  roles: string[];
  revoked: boolean;
}

/** The state the API should hold, and every key secret ever issued (deleted ones too, to check they stay refused). */
export class Model {
  roles = new Map<string, string[]>();
  principals = new Map<string, boolean>();
  keys: ModelKey[] = [];
  limits = new Set<string>();
  routes = new Map<string, string[]>();
  everIssued: ModelKey[] = [];

  /** Keys a sidecar must accept: not revoked or deleted, principal exists and is enabled. */
  allowed(): Set<string> {
    return new Set(this.keys.filter((k) => !k.revoked && this.principals.get(k.principal) === false).map((k) => k.id));
  }

  /** Keys a published bundle must hold (enabled or marked disabled): the not-revoked, not-deleted ones. */
  present(): Set<string> {
    return new Set(this.keys.filter((k) => !k.revoked).map((k) => k.id));
  }

  private hasCycle(graph: Map<string, string[]>): boolean {
    const state = new Map<string, number>();
    const visit = (n: string): boolean => {
      if (state.get(n) === 1) return true;
      if (state.get(n) === 2) return false;
      state.set(n, 1);
      for (const p of graph.get(n) ?? []) if (graph.has(p) && visit(p)) return true;
      state.set(n, 2);
      return false;
    };
    return [...graph.keys()].some(visit);
  }

  /** The status the API must answer, and (for a success) the change to apply to the model with the answer's body. */
  expect(c: Cmd, pickKey: (pick: number) => ModelKey | undefined): { status: number; apply?: (body: { id?: string; secret?: string }) => void } {
    switch (c.op) {
      case 'createRole':
      case 'updateRole': {
        const exists = this.roles.has(c.name);
        if (c.op === 'createRole' && exists) return { status: 409 };
        if (c.op === 'updateRole' && !exists) return { status: 404 };
        if (c.inherits.some((r) => r !== c.name && !this.roles.has(r))) return { status: 422 };
        const next = new Map(this.roles).set(c.name, c.inherits);
        if (this.hasCycle(next)) return { status: 409 };
        return { status: c.op === 'createRole' ? 201 : 200, apply: () => this.roles.set(c.name, c.inherits) };
      }
      case 'deleteRole': {
        if (!this.roles.has(c.name)) return { status: 404 };
        const inheritors = [...this.roles].filter(([n, inh]) => n !== c.name && inh.includes(c.name));
        const holders = this.keys.filter((k) => !k.revoked && k.roles.includes(c.name));
        if ((inheritors.length > 0 || holders.length > 0) && !c.cascade) return { status: 409 };
        return {
          status: c.cascade ? 200 : 204,
          apply: () => {
            this.roles.delete(c.name);
            for (const [n, inh] of inheritors) this.roles.set(n, inh.filter((x) => x !== c.name));
            for (const k of holders) k.roles = k.roles.filter((x) => x !== c.name);
          },
        };
      }
      case 'createPrincipal':
        return this.principals.has(c.id) ? { status: 409 } : { status: 201, apply: () => this.principals.set(c.id, false) };
      case 'setDisabled':
        return this.principals.has(c.id) ? { status: 200, apply: () => this.principals.set(c.id, c.disabled) } : { status: 404 };
      case 'deletePrincipal': {
        if (!this.principals.has(c.id)) return { status: 404 };
        const held = this.keys.some((k) => k.principal === c.id);
        if (held && !c.cascade) return { status: 409 };
        return {
          status: c.cascade ? 200 : 204,
          apply: () => {
            this.principals.delete(c.id);
            this.keys = this.keys.filter((k) => k.principal !== c.id);
          },
        };
      }
      case 'createKey': {
        if (!this.principals.has(c.principal) || c.roles.some((r) => !this.roles.has(r))) return { status: 422 };
        return {
          status: 201,
          apply: (body) => {
            const k = { id: body.id!, secret: body.secret!, principal: c.principal, roles: [...c.roles], revoked: false };
            this.keys.push(k);
            this.everIssued.push(k);
          },
        };
      }
      case 'revokeKey': {
        const k = pickKey(c.pick);
        return k ? { status: 200, apply: () => void (k.revoked = true) } : { status: 404 };
      }
      case 'deleteKey': {
        const k = pickKey(c.pick);
        return k ? { status: 204, apply: () => void (this.keys = this.keys.filter((x) => x !== k)) } : { status: 404 };
      }
      case 'createLimit':
        return this.limits.has(c.id) ? { status: 409 } : { status: 201, apply: () => this.limits.add(c.id) };
      case 'deleteLimit': {
        if (!this.limits.has(c.id)) return { status: 404 };
        const users = [...this.routes].filter(([, ls]) => ls.includes(c.id));
        if (users.length > 0 && !c.cascade) return { status: 409 };
        return {
          status: c.cascade ? 200 : 204,
          apply: () => {
            this.limits.delete(c.id);
            for (const [id, ls] of users) this.routes.set(id, ls.filter((x) => x !== c.id));
          },
        };
      }
      case 'createRoute':
        if (this.routes.has(c.id)) return { status: 409 };
        if (c.limits.some((l) => !this.limits.has(l))) return { status: 422 };
        return { status: 201, apply: () => this.routes.set(c.id, c.limits) };
    }
  }
}

/** The HTTP request of a command in service `s`, principals prefixed with `prefix`. */
export function requestOf(c: Cmd, s: string, prefix: string, key: ModelKey | undefined): { method: string; path: string; body?: unknown } {
  const svc = `/api/v1/services/${s}`;
  const q = (cascade: boolean) => (cascade ? '?cascade=true' : '');
  switch (c.op) {
    case 'createRole':
      return { method: 'POST', path: `${svc}/roles`, body: { name: c.name, inherits: c.inherits } };
    case 'updateRole':
      return { method: 'PUT', path: `${svc}/roles/${c.name}`, body: { name: c.name, inherits: c.inherits } };
    case 'deleteRole':
      return { method: 'DELETE', path: `${svc}/roles/${c.name}${q(c.cascade)}` };
    case 'createPrincipal':
      return { method: 'POST', path: '/api/v1/principals', body: { id: prefix + c.id, kind: 'service-account', displayName: c.id } };
    case 'setDisabled':
      return { method: 'PATCH', path: `/api/v1/principals/${prefix}${c.id}`, body: { disabled: c.disabled } };
    case 'deletePrincipal':
      return { method: 'DELETE', path: `/api/v1/principals/${prefix}${c.id}${q(c.cascade)}` };
    case 'createKey':
      return { method: 'POST', path: `${svc}/api-keys`, body: { principal: prefix + c.principal, roles: c.roles } };
    case 'revokeKey':
      return { method: 'POST', path: `${svc}/api-keys/${key?.id ?? 'no-such-key'}/revoke` };
    case 'deleteKey':
      return { method: 'DELETE', path: `${svc}/api-keys/${key?.id ?? 'no-such-key'}` };
    case 'createLimit':
      return { method: 'POST', path: `${svc}/rate-limits`, body: { id: c.id, rate: { requests: 1000, periodSeconds: 1 } } };
    case 'deleteLimit':
      return { method: 'DELETE', path: `${svc}/rate-limits/${c.id}${q(c.cascade)}` };
    case 'createRoute':
      return { method: 'POST', path: `${svc}/routes`, body: { id: c.id, match: { path: `/x/${c.id}` }, rateLimits: c.limits } };
  }
}
