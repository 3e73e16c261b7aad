import { describe, expect, it } from 'vitest';
import { checkHost } from './host-header.js';

const one = (v: string, version = '1.1'): ReturnType<typeof checkHost> => checkHost(['Host', v], v, version);

describe('checkHost', () => {
  it.each(['a.example', 'A.Example', 'a.example:8080', '127.0.0.1', '127.0.0.1:0', '[::1]', '[::1]:65535', 'xn--bcher-kva.example', 'svc_a.internal', 'a.example.'])('accepts %s', (v) => {
    expect(one(v)).toEqual({ ok: true, host: v.toLowerCase() });
  });

  it.each([
    '', 'user@a.example', 'a.example@b.example', 'a.example/x', 'a .example', ' a.example', '[::1', '[a.example]', '[::1]x', 'a.example:80x', 'a.example:65536', 'a.example:',
    'a.example,b.example', 'a.example?x', 'a%2eexample', '.a.example', 'a..example', 'a.example:80:80', 'é.example', 'a'.repeat(300),
  ])('refuses %j as HOST_INVALID', (v) => {
    expect(one(v)).toMatchObject({ ok: false, reason: 'HOST_INVALID' });
  });

  it('refuses two Host lines, whatever their values', () => {
    expect(checkHost(['Host', 'a.example', 'host', 'a.example'], 'a.example', '1.1')).toMatchObject({ ok: false, reason: 'HOST_REPEATED' });
    expect(checkHost(['Host', 'a.example', 'HOST', 'b.example'], 'a.example', '1.0')).toMatchObject({ ok: false, reason: 'HOST_REPEATED' });
  });

  it('requires Host of HTTP/1.1 only', () => {
    expect(checkHost([], undefined, '1.1')).toMatchObject({ ok: false, reason: 'HOST_MISSING' });
    expect(checkHost([], undefined, '1.0')).toEqual({ ok: true, host: undefined });
  });
});

describe('checkHost remembers the last valid value', () => {
  it('answers a repeated value as before, and never lets an invalid one through after a valid one', () => {
    const raw = (v: string) => ['Host', v];
    expect(checkHost(raw('A.Example:8080'), 'A.Example:8080', '1.1')).toEqual({ ok: true, host: 'a.example:8080' });
    expect(checkHost(raw('A.Example:8080'), 'A.Example:8080', '1.1')).toEqual({ ok: true, host: 'a.example:8080' });
    expect(checkHost(raw('a.example:99999'), 'a.example:99999', '1.1').ok).toBe(false);
    expect(checkHost(['Host', 'A.Example:8080', 'host', 'x'], 'A.Example:8080', '1.1')).toMatchObject({ ok: false, reason: 'HOST_REPEATED' });
    expect(checkHost(raw('b.example'), 'b.example', '1.1')).toEqual({ ok: true, host: 'b.example' });
    expect(checkHost(raw('user@b.example'), 'user@b.example', '1.1').ok).toBe(false);
  });
});
