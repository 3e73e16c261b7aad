// @vitest-environment node
import { readFileSync } from 'node:fs';
import type { PolicyBundle } from '@agentcore/policies';
import { describe, expect, it } from 'vitest';
import { compileBundleDocument, compileBundleJson, withRolePermissions } from './changed-policy';
import { replayImpact, type ReplayRecord } from './replay-access-log';

const demo = JSON.parse(readFileSync(new URL('../../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as PolicyBundle;
const compile = (doc: unknown) => {
  const c = compileBundleDocument(doc);
  if ('error' in c) throw new Error(c.error);
  return c.policy;
};
const current = compile(demo);
const principals = new Map([['alice', ['viewer']]]);

/** The pending changes the table uses. */
const CHANGES = {
  'viewer loses agents:read': compile(withRolePermissions(demo, { viewer: ['workflows:read'] })),
  'viewer gains agents:write': compile(withRolePermissions(demo, { viewer: ['agents:read', 'workflows:read', 'agents:write'] })),
  'agents-list made public': compile({ ...demo, routes: demo.routes.map((r) => (r.id === 'agents-list' ? { ...r, auth: { required: false }, permissions: [] } : r)) }),
  'a new route needing credentials': compile({ ...demo, routes: [...demo.routes, { id: 'reports', match: { path: '/api/v1/reports', kind: 'exact', methods: ['GET'] }, upstream: demo.routes[2]!.upstream }] }),
};
type Change = keyof typeof CHANGES;

let nextId = 1;
const rec = (method: string, path: string, who: { key?: string; principal?: string }, reason: string, status = 200, decision = 'allow'): ReplayRecord => ({
  id: nextId++,
  at: '2030-01-01T00:00:00.000Z',
  method,
  path,
  principal: who.principal ?? (who.key === 'demo-viewer' ? 'svc-dashboard' : who.key === 'demo-operator' ? 'svc-ci' : null),
  apiKeyId: who.key ?? null,
  routeId: null,
  status,
  decision,
  reason,
});
const viewer = { key: 'demo-viewer' };
const operator = { key: 'demo-operator' };

type Expect = { flip: string; before: string; after: string; approximate?: boolean } | { unreplayable: RegExp } | 'unchanged';

const CASES: [string, Change, ReplayRecord, Expect][] = [
  ['a granted read loses its permission', 'viewer loses agents:read', rec('GET', '/api/v1/agents', viewer, 'GRANTED'), { flip: 'allowed→denied', before: 'GRANTED', after: 'MISSING_PERMISSION' }],
  ['an inheriting role loses it too', 'viewer loses agents:read', rec('GET', '/api/v1/agents/a1', operator, 'GRANTED'), { flip: 'allowed→denied', before: 'GRANTED', after: 'MISSING_PERMISSION' }],
  ['another permission is untouched', 'viewer loses agents:read', rec('GET', '/api/v1/workflows', viewer, 'GRANTED'), 'unchanged'],
  ['a public route is untouched', 'viewer loses agents:read', rec('GET', '/healthz', {}, 'PUBLIC_ROUTE'), 'unchanged'],
  ['an earlier denial stays denied', 'viewer loses agents:read', rec('POST', '/api/v1/agents', viewer, 'MISSING_PERMISSION', 403, 'deny'), 'unchanged'],
  ['an upstream failure after access flips on access', 'viewer loses agents:read', rec('GET', '/api/v1/agents/a1', viewer, 'UPSTREAM_TIMEOUT', 504, 'error'), { flip: 'allowed→denied', before: 'GRANTED', after: 'MISSING_PERMISSION' }],
  ['a principal without a key: roles from its record', 'viewer loses agents:read', rec('GET', '/api/v1/agents', { principal: 'alice' }, 'GRANTED'), { flip: 'allowed→denied', before: 'GRANTED', after: 'MISSING_PERMISSION', approximate: true }],
  ['a token caller with no principal record', 'viewer loses agents:read', rec('GET', '/api/v1/agents', { principal: 'jwt-bob' }, 'GRANTED'), { unreplayable: /token/ }],
  ['a rate-limited request', 'viewer loses agents:read', rec('GET', '/api/v1/agents', viewer, 'RATE_LIMITED', 429, 'deny'), { unreplayable: /counters/ }],
  ['a refused token', 'viewer loses agents:read', rec('GET', '/api/v1/agents', {}, 'INVALID_TOKEN', 401, 'deny'), { unreplayable: /credential presented/ }],
  ['a CORS preflight', 'viewer loses agents:read', rec('OPTIONS', '/api/v1/agents', {}, 'CORS_PREFLIGHT', 204), { unreplayable: /CORS/ }],
  ['a host header refusal', 'viewer loses agents:read', rec('GET', '/api/v1/agents', {}, 'HOST_INVALID', 400, 'deny'), { unreplayable: /header/ }],
  ['a reason the replay does not know', 'viewer loses agents:read', rec('GET', '/api/v1/agents', viewer, 'SOMETHING_NEW', 400, 'deny'), { unreplayable: /not known/ }],
  ['no credentials stays no credentials', 'viewer loses agents:read', rec('GET', '/api/v1/agents', {}, 'NO_CREDENTIALS', 401, 'deny'), 'unchanged'],
  ['a key missing from both bundles', 'viewer loses agents:read', rec('GET', '/api/v1/agents', { key: 'gone' }, 'GRANTED'), 'unchanged'],
  ['a denial becomes allowed', 'viewer gains agents:write', rec('POST', '/api/v1/agents', viewer, 'MISSING_PERMISSION', 403, 'deny'), { flip: 'denied→allowed', before: 'MISSING_PERMISSION', after: 'GRANTED' }],
  ['the reason changes, still allowed', 'agents-list made public', rec('GET', '/api/v1/agents', viewer, 'GRANTED'), { flip: 'changed', before: 'GRANTED', after: 'PUBLIC_ROUTE' }],
  ['an anonymous 404 hits a new route needing credentials', 'a new route needing credentials', rec('GET', '/api/v1/reports', {}, 'NO_ROUTE', 404, 'deny'), { unreplayable: /carried any/ }],
  ['a keyed 404 reaches a new route', 'a new route needing credentials', rec('GET', '/api/v1/reports', viewer, 'NO_ROUTE', 404, 'deny'), { flip: 'denied→allowed', before: 'NO_ROUTE', after: 'GRANTED' }],
];

describe('replayImpact', () => {
  it.each(CASES)('%s', (_name, change, record, expected) => {
    const r = replayImpact([record], current, CHANGES[change], principals);
    expect(r.total).toBe(1);
    if (expected === 'unchanged') {
      expect(r.flips).toEqual([]);
      expect(r.unreplayable).toEqual([]);
      expect(r.replayed).toBe(1);
    } else if ('unreplayable' in expected) {
      expect(r.flips).toEqual([]);
      expect(r.replayed).toBe(0);
      expect(r.unreplayable).toHaveLength(1);
      expect(r.unreplayable[0]!.why).toMatch(expected.unreplayable);
    } else {
      expect(r.flips).toHaveLength(1);
      const f = r.flips[0]!;
      expect({ kind: f.kind, before: f.before.reason, after: f.after.reason, approximate: f.approximate }).toEqual({ kind: expected.flip, before: expected.before, after: expected.after, approximate: expected.approximate ?? false });
      expect(r.approximate).toBe(expected.approximate ? 1 : 0);
    }
  });

  it('counts records the current policy decides differently from the log (drift)', () => {
    const r = replayImpact([rec('GET', '/api/v1/agents', { key: 'gone' }, 'GRANTED'), rec('GET', '/api/v1/agents', viewer, 'GRANTED')], current, current, principals);
    expect(r).toMatchObject({ replayed: 2, drift: 1, flips: [] });
  });

  it('an API key expired by the record time is judged at that time', () => {
    const expiring = { ...demo, authentication: { ...demo.authentication, apiKeys: demo.authentication.apiKeys.map((k) => ({ ...k, expiresAt: '2030-06-01T00:00:00Z' })) } };
    const before = rec('GET', '/api/v1/agents', viewer, 'GRANTED');
    const after = { ...rec('GET', '/api/v1/agents', viewer, 'API_KEY_EXPIRED', 401, 'deny'), at: '2030-07-01T00:00:00.000Z' };
    const r = replayImpact([before, after], compile(expiring), CHANGES['viewer loses agents:read'], principals);
    expect(r.flips.map((f) => [f.record.id, f.kind, f.before.reason, f.after.reason])).toEqual([
      [before.id, 'allowed→denied', 'GRANTED', 'MISSING_PERMISSION'],
      [after.id, 'changed', 'API_KEY_EXPIRED', 'MISSING_PERMISSION'],
    ]);
  });

  it('replays 10,000 records well under a second', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => rec(i % 3 ? 'GET' : 'POST', i % 2 ? `/api/v1/agents/a${i}` : '/api/v1/workflows', i % 5 ? viewer : operator, 'GRANTED'));
    const t = performance.now();
    const r = replayImpact(records, current, CHANGES['viewer loses agents:read'], principals);
    const ms = performance.now() - t;
    expect(r.replayed).toBe(10_000);
    expect(r.flips.length).toBeGreaterThan(1000);
    expect(ms).toBeLessThan(500);
    console.info(`replayed 10,000 records against two policies in ${ms.toFixed(0)} ms`);
  });
});

describe('compileBundleJson', () => {
  it.each([
    ['not JSON', '{', /not JSON/],
    ['not a bundle', '{"version":1}', /service|routes/],
  ])('%s is refused with the reason', (_n, text, message) => {
    const c = compileBundleJson(text);
    expect('error' in c && c.error).toMatch(message);
  });
  it('a valid edited bundle compiles', () => expect('policy' in compileBundleJson(JSON.stringify(demo))).toBe(true));
});
