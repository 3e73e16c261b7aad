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
  // issue #9: names that look like credentials are redacted whatever the bundle's list says
  it.each([
    ['access_token=abc', 'access_token=[REDACTED]'],
    ['api_key=abc&page=2', 'api_key=[REDACTED]&page=2'],
    ['apiKey=abc', 'apiKey=[REDACTED]'],
    ['id_token=a&refresh_token=b', 'id_token=[REDACTED]&refresh_token=[REDACTED]'],
    ['client_secret=s', 'client_secret=[REDACTED]'],
    ['password=p&user=u', 'password=[REDACTED]&user=u'],
    ['X-Amz-Signature=s', 'X-Amz-Signature=[REDACTED]'],
    ['jwt=a.b.c', 'jwt=[REDACTED]'],
    ['auth=x', 'auth=[REDACTED]'],
    ['page=2&sort=name', 'page=2&sort=name'],
  ])('credential-looking %s → %s with an empty bundle list', (q, out) => {
    expect(redactQuery(q, new Set())).toBe(out);
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
