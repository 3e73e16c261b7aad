import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, decideAccess } from './decide-access.js';
import { normalizeRequestTarget } from './normalize-path.js';
import { validateBundle } from './validate-bundle.js';

const demo = validateBundle(JSON.parse(readFileSync(new URL('../examples/demo.bundle.json', import.meta.url), 'utf8')));
if (!demo.ok) throw new Error('demo bundle invalid');
const policy = compilePolicy(demo.bundle);
const viewer = { id: 'v', roles: ['viewer'], scopes: [] };
const operator = { id: 'o', roles: ['operator'], scopes: [] };

describe('decideAccess on the demo bundle', () => {
  it.each([
    ['GET', '/healthz', null, 'allow'],
    ['GET', '/api/v1/agents', null, 'deny'],
    ['GET', '/api/v1/agents', viewer, 'allow'],
    ['POST', '/api/v1/agents', viewer, 'deny'],
    ['POST', '/api/v1/agents', operator, 'allow'],
    ['GET', '/api/v1/admin/users', operator, 'deny'],
    ['GET', '/api/v1/agents/../admin/users', operator, 'deny'],
    ['GET', '/api/v1/agents%2f..', operator, 'invalid-target'],
    ['GET', '/nothing-here', operator, 'no-route'],
    ['DELETE', '/healthz', operator, 'method-not-allowed'],
  ] as const)('%s %s', (method, target, principal, outcome) => {
    expect(decideAccess(policy, { method, target, principal }).outcome).toBe(outcome);
  });
});

// Paths built from the demo's own segments and the characters of path tricks.
const segment = fc.oneof(
  fc.constantFrom('api', 'v1', 'agents', 'workflows', 'admin', 'users', 'healthz', 'status', 'debug', 'echo', 'runs', '42', 'x'),
  fc.constantFrom('.', '..', '', '%2e', '%2E%2e', '%61gents', 'ag%65nts', '%41', '%7e', 'a%20b', '..;', 'a;b'),
);
const target = fc.array(segment, { minLength: 0, maxLength: 8 }).map((segs) => '/' + segs.join('/'));
const principal = fc.constantFrom(null, viewer, operator, { id: 'n', roles: ['nobody'], scopes: [] });
const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

describe('decision properties', () => {
  it('a path and its normalised form get the same decision', () => {
    fc.assert(
      fc.property(target, method, principal, (t, m, p) => {
        const n = normalizeRequestTarget(t);
        if (!n.ok) {
          expect(decideAccess(policy, { method: m, target: t, principal: p }).outcome).toBe('invalid-target');
          return;
        }
        expect(decideAccess(policy, { method: m, target: t, principal: p })).toEqual(decideAccess(policy, { method: m, target: n.path, principal: p }));
      }),
      { numRuns: 3000 },
    );
  });

  it('no path reaches the admin route for a demo role', () => {
    fc.assert(
      fc.property(target, method, fc.constantFrom(viewer, operator), (t, m, p) => {
        const d = decideAccess(policy, { method: m, target: t, principal: p });
        if (d.outcome === 'allow' || d.outcome === 'deny') {
          if (d.path.startsWith('/api/v1/admin')) expect(d.outcome).toBe('deny');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
