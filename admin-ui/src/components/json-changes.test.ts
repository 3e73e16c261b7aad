import { describe, expect, it } from 'vitest';
import { jsonChanges } from './json-changes';

describe('jsonChanges', () => {
  it.each([
    ['equal objects', { a: 1, b: [1, 2] }, { a: 1, b: [1, 2] }, []],
    ['a changed scalar', { a: 1 }, { a: 2 }, [{ op: 'changed', path: 'a', before: 1, after: 2 }]],
    ['an added key', { a: 1 }, { a: 1, b: 'x' }, [{ op: 'added', path: 'b', after: 'x' }]],
    ['a removed key', { a: 1, b: 'x' }, { a: 1 }, [{ op: 'removed', path: 'b', before: 'x' }]],
    ['a removed array item', { p: ['a', 'b'] }, { p: ['a'] }, [{ op: 'removed', path: 'p.1', before: 'b' }]],
    ['nested', { m: { path: '/a' } }, { m: { path: '/b' } }, [{ op: 'changed', path: 'm.path', before: '/a', after: '/b' }]],
    ['create (null before)', null, { a: 1 }, [{ op: 'added', path: '(root)', after: { a: 1 } }]],
    ['delete (null after)', { a: 1 }, null, [{ op: 'removed', path: '(root)', before: { a: 1 } }]],
    ['type change', { a: [1] }, { a: 'x' }, [{ op: 'changed', path: 'a', before: [1], after: 'x' }]],
  ])('%s', (_name, before, after, want) => {
    expect(jsonChanges(before, after)).toEqual(want);
  });
});
