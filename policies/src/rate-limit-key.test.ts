import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rateLimitKey, routeResource, type RateLimitSubject } from './rate-limit-key.js';

type Scope = 'client' | 'endpoint' | 'resource' | 'address';

const alice: RateLimitSubject = { principalId: 'alice', clientAddress: '10.0.0.7', routeId: 'list-agents', resource: 'agents' };
const anon: RateLimitSubject = { clientAddress: '2001:db8::1', routeId: 'health', resource: 'health' };

describe('rateLimitKey', () => {
  it.each([
    [[], alice, 'global'],
    [['client'], alice, 'global|c:p:alice'],
    [['client'], anon, 'global|c:a:2001%3Adb8%3A%3A1'],
    [['client'], { ...alice, principalId: '' }, 'global|c:a:10.0.0.7'],
    [['address'], alice, 'global|a:10.0.0.7'],
    [['endpoint'], alice, 'global|e:list-agents'],
    [['resource'], alice, 'global|r:agents'],
    [['client', 'address', 'endpoint', 'resource'], alice, 'global|c:p:alice|a:10.0.0.7|e:list-agents|r:agents'],
    [['resource', 'endpoint', 'address', 'client'], alice, 'global|c:p:alice|a:10.0.0.7|e:list-agents|r:agents'], // canonical order
    [['endpoint', 'endpoint'], alice, 'global|e:list-agents'], // duplicates once
    [['client'], { ...alice, principalId: 'a|b:c%d#e' }, 'global|c:p:a%7Cb%3Ac%25d%23e'],
  ] as [Scope[], RateLimitSubject, string][])('scope %j → %s', (scope, subject, expected) => {
    expect(rateLimitKey({ id: 'global', scope }, subject)).toBe(expected);
  });

  it.each([
    ['principal forging an extra part', { ...alice, principalId: 'x|e:list-agents' }, { ...alice, principalId: 'x' }, ['client', 'endpoint']],
    ['principal forging the anonymous form', { ...alice, principalId: 'a:10.0.0.7' }, { ...alice, principalId: undefined }, ['client']],
    ['already-escaped text', { ...alice, principalId: 'a%3Ab' }, { ...alice, principalId: 'a:b' }, ['client']],
    ['route id swallowing the resource', { ...alice, routeId: 'r|r:x', resource: 'y' }, { ...alice, routeId: 'r', resource: 'x|r:y' }, ['endpoint', 'resource']],
  ] as [string, RateLimitSubject, RateLimitSubject, Scope[]][])('does not collide: %s', (_name, a, b, scope) => {
    expect(rateLimitKey({ id: 'l', scope }, a)).not.toBe(rateLimitKey({ id: 'l', scope }, b));
  });

  it('maps distinct subjects to distinct keys (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '|', ':', '%', '#', '7', 'C', 'p'), maxLength: 6 });
    const subject = fc.record(
      { principalId: fc.option(text, { nil: undefined }), clientAddress: text, routeId: text, resource: text },
      { requiredKeys: ['clientAddress', 'routeId', 'resource'] },
    );
    const scope = fc.subarray(['client', 'address', 'endpoint', 'resource'] as Scope[]);
    // What the key must distinguish: the client identity and every part the scope names.
    const identity = (s: RateLimitSubject, sc: Scope[]) =>
      JSON.stringify([
        sc.includes('client') ? (s.principalId ? ['p', s.principalId] : ['a', s.clientAddress]) : null,
        sc.includes('address') ? s.clientAddress : null,
        sc.includes('endpoint') ? s.routeId : null,
        sc.includes('resource') ? s.resource : null,
      ]);
    fc.assert(
      fc.property(scope, subject, subject, (sc, a, b) => {
        const same = rateLimitKey({ id: 'l', scope: sc }, a) === rateLimitKey({ id: 'l', scope: sc }, b);
        return same === (identity(a, sc) === identity(b, sc));
      }),
      { numRuns: 2000 },
    );
  });

  it('lets a caller suffix `#<counter>` without a value forging it', () => {
    const l = { id: 'l', scope: ['client'] as Scope[] };
    expect(rateLimitKey(l, { ...alice, principalId: 'alice#hour' })).not.toBe(`${rateLimitKey(l, alice)}#hour`);
  });

  it('gives different limits different keys', () => {
    expect(rateLimitKey({ id: 'a', scope: ['client'] }, alice)).not.toBe(rateLimitKey({ id: 'b', scope: ['client'] }, alice));
  });
});

describe('routeResource', () => {
  it.each([
    [{ id: 'r1', resource: 'agents', permissions: ['tools:read'] }, 'agents'],
    [{ id: 'r1', permissions: ['tools:read', 'agents:read'] }, 'tools'],
    [{ id: 'r1', permissions: [] }, 'r1'],
    [{ id: 'r1', permissions: [':odd'] }, 'r1'],
  ])('%j → %s', (route, expected) => {
    expect(routeResource(route)).toBe(expected);
  });
});
