import { describe, expect, it } from 'vitest';
import { randomHex, requestIdFrom, traceFrom } from './request-identity.js';

describe('request identity', () => {
  it.each([
    ['keeps a valid id', 'req-12345678', 'req-12345678'],
    ['replaces a short id', 'abc', undefined],
    ['replaces an id with spaces', 'bad id 123456', undefined],
    ['replaces a header-injection attempt', 'abcdefgh\r\nx: y', undefined],
    ['replaces a too-long id', 'a'.repeat(129), undefined],
  ])('%s', (_n, header, kept) => {
    const id = requestIdFrom(header);
    if (kept) expect(id).toBe(kept);
    else expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('continues a valid traceparent with a new span id and keeps its flags', () => {
    const t = traceFrom('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00');
    expect(t.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(t.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/);
    expect(t.traceparent).not.toContain('b7ad6b7169203331');
  });

  it.each([
    'garbage',
    '00-00000000000000000000000000000000-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
  ])('starts a new trace for an invalid traceparent %s', (h) => {
    const t = traceFrom(h);
    expect(t.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(h).not.toContain(t.traceId);
  });

  it('draws distinct ids across pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(randomHex(16));
    expect(seen.size).toBe(2000);
  });
});
