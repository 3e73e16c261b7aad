import { describe, expect, it } from 'vitest';
import { applyHeaderTransform, compileHeaderTransform } from './header-transform.js';

describe('header transforms', () => {
  it('does nothing for an empty rule', () => {
    expect(compileHeaderTransform({ remove: [], rename: {}, set: {}, add: {} })).toBeUndefined();
  });
  it.each([
    ['remove', { remove: ['X-Secret'] }, ['x-secret', 'a', 'x-keep', 'b'], ['x-keep', 'b']],
    ['rename', { rename: { 'X-Old': 'X-New' } }, ['x-old', 'v'], ['X-New', 'v']],
    ['set replaces', { set: { 'X-Env': 'prod' } }, ['x-env', 'dev', 'x-env', 'qa'], ['X-Env', 'prod']],
    ['add appends', { add: { Via: 'agentcore' } }, ['via', '1.1 lb'], ['via', '1.1 lb', 'Via', 'agentcore']],
    ['order remove→rename→set→add', { remove: ['a'], rename: { b: 'c' }, set: { d: '1' }, add: { e: '2' } }, ['a', '0', 'b', 'x', 'd', '0'], ['c', 'x', 'd', '1', 'e', '2']],
  ])('%s', (_name, rule, input, expected) => {
    const t = compileHeaderTransform({ remove: [], rename: {}, set: {}, add: {}, ...rule })!;
    expect(applyHeaderTransform(input, t)).toEqual(expected);
  });
});
