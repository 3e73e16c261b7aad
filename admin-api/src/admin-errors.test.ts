import { PUBLIC_ERROR_STATUS } from '@agentcore/policies';
import { describe, expect, it } from 'vitest';
import { ADMIN_ERRORS, type AdminErrorCode } from './admin-errors.js';
import { AdminError } from './errors.js';
import { toAdminError } from './http/app.js';
import { StoreError } from './store/store-error.js';

const codes = Object.keys(ADMIN_ERRORS) as AdminErrorCode[];

describe('ADMIN_ERRORS', () => {
  it('maps every stable code to a public code of the policies table, with a message', () => {
    expect(codes.length).toBeGreaterThanOrEqual(30);
    for (const code of codes) {
      expect(code).toMatch(/^ADMIN_[A-Z_]+$/);
      expect(Object.keys(PUBLIC_ERROR_STATUS)).toContain(ADMIN_ERRORS[code].public);
      expect(ADMIN_ERRORS[code].message.length).toBeGreaterThan(5);
    }
  });

  it('gives AdminError its public code, status and default message from the table', () => {
    const e = new AdminError('ADMIN_LAST_OWNER');
    expect([e.publicCode, e.status, e.message]).toEqual(['CONFLICT', 409, ADMIN_ERRORS.ADMIN_LAST_OWNER.message]);
    expect(new AdminError('ADMIN_LOGIN_LOCKED', 'wait').status).toBe(429);
    expect(new AdminError('ADMIN_STORE_UNAVAILABLE').status).toBe(503);
  });

  it('answers store errors with the same table (no separate store mapping)', () => {
    const cases: [StoreError, number, string][] = [
      [new StoreError('ADMIN_STORE_CONFLICT', 'x exists'), 409, 'CONFLICT'],
      [new StoreError('ADMIN_STORE_NOT_FOUND', 'no x'), 404, 'NOT_FOUND'],
      [new StoreError('ADMIN_STORE_PRECONDITION_FAILED', 'old'), 412, 'PRECONDITION_FAILED'],
      [new StoreError('ADMIN_STORE_UNAVAILABLE', 'down'), 503, 'SERVICE_UNAVAILABLE'],
      [new StoreError('ADMIN_STORE_MIGRATION_FAILED', 'bad'), 500, 'INTERNAL_ERROR'],
      [new StoreError('ADMIN_POLICY_INVALID', 'bad', { issues: [{ path: ['a', 0], message: 'm' }] }), 400, 'INVALID_REQUEST'],
    ];
    for (const [err, status, publicCode] of cases) {
      expect(err.status).toBe(status);
      const a = toAdminError(err);
      expect([a.code, a.status, a.publicCode, a.message]).toEqual([err.code, status, publicCode, err.message]);
    }
    expect(toAdminError(new StoreError('ADMIN_POLICY_INVALID', 'bad', { issues: [{ path: ['a', 0], message: 'm' }] })).details).toEqual({ fields: [{ path: 'a.0', message: 'm' }] });
    expect(toAdminError(new Error('boom'))).toMatchObject({ code: 'ADMIN_INTERNAL', status: 500 });
  });
});
