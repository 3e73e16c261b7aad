import { describe, it, expect } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { extractCredential } from './credentials.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('extractCredential', () => {
  const cases: { name: string; headers: IncomingHttpHeaders; extra?: string; expected: Record<string, unknown> }[] = [
    { name: 'nothing', headers: {}, expected: { type: 'none' } },
    { name: 'bearer JWT', headers: { authorization: `Bearer ${JWT}` }, expected: { type: 'bearer', token: JWT, looksLikeJwt: true } },
    { name: 'scheme is case-insensitive', headers: { authorization: `bEaReR ${JWT}` }, expected: { type: 'bearer', token: JWT, looksLikeJwt: true } },
    { name: 'opaque bearer', headers: { authorization: 'Bearer abc-123_x~+/==' }, expected: { type: 'bearer', token: 'abc-123_x~+/==', looksLikeJwt: false } },
    { name: 'alg none shape (empty signature) still looks like a JWT', headers: { authorization: 'Bearer a.b.' }, expected: { type: 'bearer', looksLikeJwt: true } },
    { name: 'ApiKey scheme', headers: { authorization: 'ApiKey ak_live_123' }, expected: { type: 'api-key', key: 'ak_live_123' } },
    { name: 'X-API-Key', headers: { 'x-api-key': 'ak_live_123' }, expected: { type: 'api-key', key: 'ak_live_123' } },
    { name: 'ApiKey and the same X-API-Key', headers: { authorization: 'ApiKey k1', 'x-api-key': 'k1' }, expected: { type: 'api-key', key: 'k1' } },
    { name: 'ApiKey and a different X-API-Key', headers: { authorization: 'ApiKey k1', 'x-api-key': 'k2' }, expected: { type: 'malformed' } },
    { name: 'Bearer and X-API-Key', headers: { authorization: 'Bearer t', 'x-api-key': 'k2' }, expected: { type: 'malformed' } },
    { name: 'Basic', headers: { authorization: 'Basic dXNlcjpwYXNz' }, expected: { type: 'malformed', message: expect.stringContaining('Bearer <token>') } },
    { name: 'Digest', headers: { authorization: 'Digest username="x"' }, expected: { type: 'malformed' } },
    { name: 'empty Authorization', headers: { authorization: '' }, expected: { type: 'malformed' } },
    { name: 'whitespace Authorization', headers: { authorization: '   ' }, expected: { type: 'malformed' } },
    { name: 'scheme only', headers: { authorization: 'Bearer' }, expected: { type: 'malformed' } },
    { name: 'two spaces', headers: { authorization: 'Bearer  tok' }, expected: { type: 'malformed' } },
    { name: 'bad token characters', headers: { authorization: 'Bearer a b' }, expected: { type: 'malformed' } },
    { name: 'credential without scheme', headers: { authorization: 'secretvalue' }, expected: { type: 'malformed' } },
    { name: 'repeated Authorization (array)', headers: { authorization: ['Bearer a', 'Bearer b'] as unknown as string }, expected: { type: 'malformed' } },
    { name: 'repeated X-API-Key (joined by Node)', headers: { 'x-api-key': 'k1, k2' }, expected: { type: 'malformed', message: 'more than one X-API-Key header' } },
    { name: 'empty X-API-Key', headers: { 'x-api-key': '' }, expected: { type: 'malformed' } },
    { name: 'extra token when no header', headers: {}, extra: JWT, expected: { type: 'bearer', token: JWT, looksLikeJwt: true } },
    { name: 'extra token ignored when a header is present', headers: { 'x-api-key': 'k' }, extra: JWT, expected: { type: 'api-key', key: 'k' } },
    { name: 'empty extra token', headers: {}, extra: '', expected: { type: 'malformed' } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = extractCredential(c.headers, c.extra);
      expect(r).toMatchObject(c.expected);
      if (r.type === 'malformed') {
        expect(r.message).not.toMatch(/dXNlcjpwYXNz|secretvalue|k1|k2/);
      }
    });
  }
});
