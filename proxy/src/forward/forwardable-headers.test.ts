import { describe, expect, it } from 'vitest';
import { unforwardableHeader } from './forwardable-headers.js';

describe('unforwardableHeader', () => {
  it('accepts ordinary headers, Latin-1 values and one Host', () => {
    expect(unforwardableHeader(['Host', 'a.example', 'x-a', 'caf\u00e9', 'content-length', '12', 'x-tab', 'a\tb'])).toBeUndefined();
  });
  it.each([
    [['x a', '1'], 'not a token'],
    [['x-a', 'a\r\nb'], 'CR, LF'],
    [['x-a', 'a\u0000b'], 'CR, LF'],
    [['x-a', '李'], 'above U+00FF'],
    [['host', 'a', 'Host', 'b'], 'more than one Host'],
    [['content-length', '1', 'content-length', '1'], 'Content-Length'],
    [['content-length', '1x'], 'Content-Length'],
    [['expect', '100-continue'], 'cannot be forwarded'],
    [['Transfer-Encoding', 'chunked'], 'cannot be forwarded'],
  ])('refuses %j', (flat, problem) => {
    expect(unforwardableHeader(flat)?.problem).toContain(problem);
  });
});

describe('unforwardableHeader from an index', () => {
  it('skips the checks before `from` but still counts Host and Content-Length there', () => {
    expect(unforwardableHeader(['x a', '1', 'x-b', '2'], 2)).toBeUndefined();
    expect(unforwardableHeader(['x-a', '1', 'x-b', '李'], 2)?.problem).toContain('above U+00FF');
    expect(unforwardableHeader(['Host', 'a', 'host', 'b'], 2)?.problem).toContain('more than one Host');
    expect(unforwardableHeader(['Content-Length', '1', 'content-length', '1'], 2)?.problem).toContain('Content-Length');
  });
});
