import { describe, expect, it } from 'vitest';
import { AccessLogBatcher, redactQuery, redactedHeaders } from './access-log.js';

describe('access-log redaction', () => {
  it.each([
    ['a=1&token=secret', 'a=1&token=[REDACTED]'],
    ['TOKEN=secret', 'TOKEN=[REDACTED]'],
    ['access%5Ftoken=secret', 'access%5Ftoken=[REDACTED]'],
    ['x=1&y=2', 'x=1&y=2'],
    ['token', 'token=[REDACTED]'],
    ['%zz=1', '%zz=1'],
  ])('%s → %s', (q, out) => {
    expect(redactQuery(q, new Set(['token', 'access_token']))).toBe(out);
  });
  it('redacts named headers and joins repeated ones', () => {
    expect(redactedHeaders(['Authorization', 'Bearer x', 'Cookie', 'a=b', 'X-A', '1', 'x-a', '2'], new Set(['authorization', 'cookie']))).toEqual({
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'x-a': '1, 2',
    });
  });
});

describe('AccessLogBatcher', () => {
  it('writes full batches at once, the rest within the delay, and everything on flush', async () => {
    const writes: string[] = [];
    const b = new AccessLogBatcher({ write: (s: string) => writes.push(s) }, 3, 30);
    for (let i = 0; i < 4; i++) b.write(`l${i}\n`);
    expect(writes).toEqual(['l0\nl1\nl2\n']);
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toEqual(['l0\nl1\nl2\n', 'l3\n']);
    b.write('l4\n');
    b.flush();
    expect(writes.at(-1)).toBe('l4\n');
    b.flush();
    expect(writes).toHaveLength(3);
  });
});
