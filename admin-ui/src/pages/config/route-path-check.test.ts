import { describe, expect, it } from 'vitest';
import { checkRoutePath } from './route-path-check';

describe('checkRoutePath (the route form, as you type)', () => {
  it('shows which sample paths a template matches, with its parameters, after normalisation', () => {
    const c = checkRoutePath('/api/v1/items/{id}', 'template', 'GET', ['/api/v1/items/42', '/api/v1/items', '/api/v1/x/../items/7', '/api/v1/items%2F7']);
    expect(c.error).toBeUndefined();
    expect(c.samples.map((s) => [s.matches, s.detail])).toEqual([
      [true, 'matches, id=42'],
      [false, 'no match (/api/v1/items)'],
      [true, 'matches, id=7'],
      [false, 'refused (ENCODED_SLASH)'],
    ]);
  });

  it.each([
    ['/api/{id}', 'exact', 'set kind "template"'],
    ['/api/v1/{id}/', 'template', 'must not end with "/"'],
    ['/api//v1', 'prefix', 'normalised path'],
    ['api', 'exact', 'must start with "/"'],
    ['/a/{x}/{x}', 'template', 'appears twice'],
  ] as const)('refuses %s (%s) with the contract’s message', (path, kind, message) => {
    const c = checkRoutePath(path, kind, 'GET', ['/a']);
    expect(c.error).toContain(message);
    expect(c.samples).toEqual([]);
  });
});
