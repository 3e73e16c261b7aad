import { describe, expect, it } from 'vitest';
import { diffJson } from './bundle-diff.js';

describe('diffJson', () => {
  it.each([
    ['equal', { a: 1 }, { a: 1 }, []],
    ['changed scalar', { a: 1 }, { a: 2 }, [{ op: 'changed', path: '/a', before: 1, after: 2 }]],
    ['added and removed keys', { a: 1 }, { b: 2 }, [{ op: 'removed', path: '/a', before: 1 }, { op: 'added', path: '/b', after: 2 }]],
    ['escaped pointer', { 'x/y~': 1 }, { 'x/y~': 2 }, [{ op: 'changed', path: '/x~1y~0', before: 1, after: 2 }]],
    ['arrays by index', [1, 2], [1, 3, 4], [{ op: 'changed', path: '/1', before: 2, after: 3 }, { op: 'added', path: '/2', after: 4 }]],
    [
      'arrays of objects matched by id',
      { routes: [{ id: 'a', p: 1 }, { id: 'b', p: 1 }] },
      { routes: [{ id: 'new', p: 0 }, { id: 'a', p: 1 }, { id: 'b', p: 2 }] },
      [{ op: 'changed', path: '/routes/2/p', before: 1, after: 2 }, { op: 'added', path: '/routes/0', after: { id: 'new', p: 0 } }],
    ],
    ['type change', { a: [1] }, { a: { x: 1 } }, [{ op: 'changed', path: '/a', before: [1], after: { x: 1 } }]],
  ])('%s', (_name, before, after, expected) => {
    expect(diffJson(before, after)).toEqual(expected);
  });
});
