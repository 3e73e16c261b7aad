import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRbac } from './rbac.js';
import { EventsPolicy } from './schema.js';
import { compileTopicRules, decideTopic, isValidTopic, matchTopic, parseTopicFilter, parseTopicPattern, patternCovers } from './topics.js';
import type { TopicPattern } from './topics.js';

function pat(text: string): TopicPattern {
  const p = parseTopicPattern(text);
  if (!p.ok) throw new Error(p.message);
  return p.pattern;
}

describe('parsing', () => {
  it.each([
    ['agents/a-1', true],
    ['workflows/{id}/runs', true],
    ['agents/*', true],
    ['agents/**', true],
    ['**', true],
    ['agents/**/x', false],
    ['agents//x', false],
    ['agents/', false],
    ['', false],
    ['agents/{id}/{id}', false],
    ['agents/a b', false],
    ['agents/{1x}', false],
    ['x/'.repeat(16) + 'x', false],
    ['a'.repeat(257), false],
  ])('pattern %s → %s', (text, ok) => {
    expect(parseTopicPattern(text).ok).toBe(ok);
  });

  it('refuses parameters in a subscription filter, with a hint', () => {
    const p = parseTopicFilter('agents/{id}');
    expect(p.ok).toBe(false);
    expect(!p.ok && p.message).toContain('subscribe with "*"');
  });

  it.each([
    ['agents/a-1', true],
    ['agents/*', false],
    ['agents/**', false],
    ['agents/{id}', false],
  ])('topic %s valid → %s', (text, ok) => {
    expect(isValidTopic(text)).toBe(ok);
  });
});

describe('matchTopic', () => {
  it.each([
    ['agents/{id}', 'agents/a1', { id: 'a1' }],
    ['agents/{id}', 'agents/a1/runs', undefined],
    ['agents/{id}', 'agents', undefined],
    ['workflows/{wf}/runs', 'workflows/w9/runs', { wf: 'w9' }],
    ['workflows/*/runs', 'workflows/w9/runs', {}],
    ['workflows/*/runs', 'workflows/w9/steps', undefined],
    ['agents/**', 'agents/a/b/c', {}],
    ['agents/**', 'agents', undefined],
    ['**', 'x', {}],
    ['a/b', 'a/b', {}],
    ['a/b', 'a/c', undefined],
  ])('%s ~ %s', (pattern, topic, expected) => {
    expect(matchTopic(pat(pattern), topic)).toEqual(expected);
  });
});

const segment = fc.stringMatching(/^[a-z0-9]{1,4}$/);
const topicArb = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
/** A filter derived from a topic by replacing some segments with `*` and maybe the tail with `**`. */
function filterArb(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.oneof(segment, fc.constant('*')), { minLength: 1, maxLength: 5 }), fc.boolean())
    .map(([segs, rest]) => (rest ? [...segs.slice(0, -1), '**'] : segs).join('/'));
}

describe('properties', () => {
  it('a topic matches itself as a pattern, with no parameters', () => {
    fc.assert(
      fc.property(topicArb, (t) => {
        expect(matchTopic(pat(t), t)).toEqual({});
      }),
    );
  });

  it('replacing a segment with {p} captures exactly that segment', () => {
    fc.assert(
      fc.property(topicArb, fc.nat(), (t, n) => {
        const parts = t.split('/');
        const i = n % parts.length;
        const pattern = parts.map((p, j) => (j === i ? '{p}' : p)).join('/');
        expect(matchTopic(pat(pattern), t)).toEqual({ p: parts[i] });
      }),
    );
  });

  it('"**" after a prefix matches exactly the longer topics with that prefix', () => {
    fc.assert(
      fc.property(topicArb, topicArb, (prefix, t) => {
        const matched = matchTopic(pat(`${prefix}/**`), t) !== undefined;
        expect(matched).toBe(t.startsWith(`${prefix}/`));
      }),
    );
  });

  it('coverage is sound: when a rule covers a filter, every topic of the filter matches the rule', () => {
    fc.assert(
      fc.property(filterArb(), filterArb(), topicArb, (outer, inner, t) => {
        const o = pat(outer);
        const i = pat(inner);
        if (patternCovers(o, i) && matchTopic(i, t) !== undefined) expect(matchTopic(o, t)).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('a pattern covers itself, and "**" covers everything', () => {
    fc.assert(
      fc.property(filterArb(), (f) => {
        expect(patternCovers(pat(f), pat(f)) && patternCovers(pat('**'), pat(f))).toBe(true);
      }),
    );
  });
});

describe('decideTopic', () => {
  const rbac = compileRbac([
    { name: 'admin', permissions: ['agents:read', 'workflows:read'], inherits: [] },
    { name: 'user', permissions: ['agents:read-own'], inherits: [] },
  ]);
  const grants = rbac.grants.bind(rbac);
  const rules = compileTopicRules([
    { pattern: 'agents/{id}', permission: 'agents:read', owner: { permission: 'agents:read-own' } },
    { pattern: 'users/{uid}/inbox', owner: { permission: 'agents:read-own', param: 'uid' } },
    { pattern: 'workflows/{id}/runs', permission: 'workflows:read' },
  ]);
  const admin = { id: 'root', roles: ['admin'] };
  const alice = { id: 'alice', roles: ['user'] };
  const filter = (t: string): TopicPattern => {
    const p = parseTopicFilter(t);
    if (!p.ok) throw new Error(p.message);
    return p.pattern;
  };

  it.each([
    [admin, 'agents/a1', { allow: true, scope: 'all' }],
    [admin, 'agents/*', { allow: true, scope: 'all' }],
    [alice, 'agents/*', { allow: true, scope: 'owned' }],
    [alice, 'workflows/w1/runs', { allow: false, reason: 'MISSING_PERMISSION' }],
    [admin, 'agents/**', { allow: false, reason: 'NO_RULE' }],
    [admin, 'billing/x', { allow: false, reason: 'NO_RULE' }],
  ] as const)('subscription %#', (principal, topic, expected) => {
    expect(decideTopic(rules, grants, principal, filter(topic))).toMatchObject(expected);
  });

  it('says which permission is missing', () => {
    const d = decideTopic(rules, grants, alice, filter('workflows/w1/runs'));
    expect(!d.allow && d.message).toBe('topic "workflows/w1/runs" requires permission workflows:read');
  });

  it.each([
    [alice, { topic: 'agents/a1', owner: 'alice' }, true],
    [alice, { topic: 'agents/a1', owner: 'bob' }, false],
    [alice, { topic: 'agents/a1' }, false],
    [admin, { topic: 'agents/a1', owner: 'bob' }, true],
    [alice, { topic: 'users/alice/inbox' }, true],
    [alice, { topic: 'users/bob/inbox' }, false],
    [admin, { topic: 'agents/a1', audience: ['bob', 'role:user'] }, false],
    [alice, { topic: 'agents/a1', owner: 'alice', audience: ['role:user'] }, true],
    [admin, { topic: 'agents/a1', audience: ['root'] }, true],
  ] as const)('event %#', (principal, event, allowed) => {
    expect(decideTopic(rules, grants, principal, filter('**'), event).allow).toBe(allowed);
  });
});

describe('EventsPolicy schema', () => {
  it('applies defaults', () => {
    const p = EventsPolicy.parse({ topics: [{ pattern: 'agents/{id}', permission: 'agents:read' }] });
    expect(p.history).toEqual({ maxEvents: 1000, maxAgeMs: 3_600_000 });
    expect(p.publish).toEqual({ permission: 'events:publish', maxEventBytes: 65536 });
  });

  it.each([
    [{ pattern: 'agents/{id}' }, 'needs "permission"'],
    [{ pattern: 'agents/**/x', permission: 'a:b' }, '"**" may only be the last segment'],
    [{ pattern: 'agents/{id}', owner: { permission: 'a:b', param: 'uid' } }, 'owner.param must name'],
  ])('rejects %j', (rule, message) => {
    const r = EventsPolicy.safeParse({ topics: [rule] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.message).join('; ')).toContain(message);
  });
});
