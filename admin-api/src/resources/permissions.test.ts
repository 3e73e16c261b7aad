import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRole } from '../auth/admin-roles.js';
import { startTestServer, type TestServer } from './test-server.js';

const route = { id: 'r', match: { path: '/r' } };
const CASES: { role: AdminRole; method: string; path: string; body?: unknown; status: number }[] = [
  { role: 'auditor', method: 'GET', path: '/api/v1/services/perm/routes', status: 200 },
  { role: 'auditor', method: 'POST', path: '/api/v1/services/perm/routes', body: route, status: 403 },
  { role: 'auditor', method: 'POST', path: '/api/v1/services', body: { name: 'x' }, status: 403 },
  { role: 'auditor', method: 'PUT', path: '/api/v1/services/perm/settings', body: {}, status: 403 },
  { role: 'auditor', method: 'POST', path: '/api/v1/principals', body: { id: 'p', kind: 'user', displayName: 'p' }, status: 403 },
  { role: 'platform-engineer', method: 'POST', path: '/api/v1/services/perm/api-keys', body: { principal: 'p' }, status: 403 },
  { role: 'platform-engineer', method: 'POST', path: '/api/v1/services/perm/roles', body: { name: 'r' }, status: 403 },
  { role: 'platform-engineer', method: 'GET', path: '/api/v1/services/perm/api-keys', status: 200 },
  { role: 'platform-engineer', method: 'POST', path: '/api/v1/services/perm/routes', body: route, status: 201 },
  { role: 'security-admin', method: 'PUT', path: '/api/v1/services/perm/routes/r', body: route, status: 403 },
  { role: 'security-admin', method: 'POST', path: '/api/v1/services/perm/upstreams', body: { name: 'u', definition: {} }, status: 403 },
  { role: 'security-admin', method: 'PUT', path: '/api/v1/services/perm/settings', body: {}, status: 403 },
  { role: 'security-admin', method: 'POST', path: '/api/v1/services/perm/api-keys', body: { principal: 'p' }, status: 201 },
  { role: 'security-admin', method: 'POST', path: '/api/v1/services/perm/rate-limits', body: { id: 'l', quotas: [{ requests: 5, period: 'day' }] }, status: 201 },
];

describe('the admin permission matrix on resource endpoints', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
    await t.call('POST', '/api/v1/services', { body: { name: 'perm' } });
    await t.call('POST', '/api/v1/principals', { body: { id: 'p', kind: 'service-account', displayName: 'p' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(CASES)('$role $method $path → $status', async ({ role, method, path, body, status }) => {
    const before = t.changes.length;
    const res = await t.call(method, path, { role, body });
    expect(res.status).toBe(status);
    if (status === 403) {
      expect(res.body.error.code).toBe('FORBIDDEN');
      expect(t.changes.length).toBe(before);
    }
  });
});
