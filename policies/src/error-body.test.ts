import { describe, expect, it } from 'vitest';
import { ErrorBodySchema, errorBody, PUBLIC_ERROR_STATUS, statusOfError } from './error-body.js';

describe('error body', () => {
  it('builds the spec format with the given time', () => {
    const text = errorBody('RATE_LIMITED', 'slow down', 'req-1', { retryAfter: 3 }, Date.UTC(2026, 0, 2, 3, 4, 5));
    const body = ErrorBodySchema.parse(JSON.parse(text));
    expect(body).toEqual({ error: { code: 'RATE_LIMITED', message: 'slow down', details: { retryAfter: 3 }, request_id: 'req-1', timestamp: '2026-01-02T03:04:05.000Z' } });
  });

  it.each(Object.entries(PUBLIC_ERROR_STATUS))('%s has a 4xx/5xx status (%i)', (code, status) => {
    expect(statusOfError(code as keyof typeof PUBLIC_ERROR_STATUS)).toBe(status);
    expect(status >= 400 && status < 600).toBe(true);
  });

  it('refuses an unknown code in the schema', () => {
    expect(ErrorBodySchema.safeParse({ error: { code: 'NOPE', message: '', details: {}, request_id: '', timestamp: '' } }).success).toBe(false);
  });
});
