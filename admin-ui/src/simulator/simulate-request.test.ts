// @vitest-environment node
import { readFileSync } from 'node:fs';
import { compilePolicy, validateBundle } from '@agentcore/policies';
import { describe, expect, it } from 'vitest';
import { sha256Hex, simulateRequest, type SimCredential } from './simulate-request';

const input = JSON.parse(readFileSync(new URL('../../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as { authentication: { apiKeys: { sha256: string; expiresAt?: string; disabled?: boolean }[] } };
const keys = { viewer: 'ak_viewer_test', operator: 'ak_operator_test', expired: 'ak_expired_test' };

async function policy() {
  const b = structuredClone(input);
  b.authentication.apiKeys[0]!.sha256 = await sha256Hex(keys.viewer);
  b.authentication.apiKeys[1]!.sha256 = await sha256Hex(keys.operator);
  b.authentication.apiKeys.push({ ...b.authentication.apiKeys[1]!, id: 'old', sha256: await sha256Hex(keys.expired), expiresAt: '2020-01-01T00:00:00Z' } as never);
  const v = validateBundle(b);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return compilePolicy(v.bundle);
}

const key = async (k: string): Promise<SimCredential> => ({ kind: 'api-key', sha256: await sha256Hex(k) });

describe('simulateRequest on the demo bundle', () => {
  it.each([
    ['public route', 'GET', '/healthz', 'none', 'forward', 'PUBLIC_ROUTE', 'healthz'],
    ['no credentials', 'GET', '/api/v1/agents', 'none', 401, 'NO_CREDENTIALS', 'agents-list'],
    ['unknown key', 'GET', '/api/v1/agents', 'ak_nope', 401, 'UNKNOWN_API_KEY', 'agents-list'],
    ['expired key', 'GET', '/api/v1/agents', keys.expired, 401, 'API_KEY_EXPIRED', 'agents-list'],
    ['viewer reads', 'GET', '/api/v1/agents', keys.viewer, 'forward', 'GRANTED', 'agents-list'],
    ['viewer writes', 'POST', '/api/v1/agents', keys.viewer, 403, 'MISSING_PERMISSION', 'agents-create'],
    ['operator writes (inherits viewer)', 'POST', '/api/v1/agents', keys.operator, 'forward', 'GRANTED', 'agents-create'],
    ['dot segments are normalised first', 'GET', '/api/v1/x/../agents', keys.viewer, 'forward', 'GRANTED', 'agents-list'],
    ['encoded traversal is decoded, then normalised', 'GET', '/api/v1/%2e%2e/agents', keys.viewer, 404, 'NO_ROUTE', undefined],
    ['an encoded slash is refused', 'GET', '/api/v1%2Fagents', keys.viewer, 400, 'PATH_ENCODED_SLASH', undefined],
    ['unknown path', 'GET', '/nope', keys.viewer, 404, 'NO_ROUTE', undefined],
    ['wrong method', 'DELETE', '/healthz', 'none', 405, 'METHOD_NOT_ALLOWED', undefined],
  ])('%s', async (_name, method, target, cred, status, reason, routeId) => {
    const credential = cred === 'none' ? ({ kind: 'none' } as const) : await key(cred);
    const r = simulateRequest(await policy(), { method, target, credential, clientAddress: '10.0.0.1' }, Date.parse('2030-01-01T00:00:00Z'));
    expect({ status: r.status, reason: r.reason, routeId: r.routeId }).toEqual({ status, reason, routeId });
    expect(r.stages.map((s) => s.name)).toEqual(['normalise', 'route', 'authenticate', 'authorise', 'rate-limit']);
  });

  it('names the rate-limit bucket the sidecar counts the request in', async () => {
    const r = simulateRequest(await policy(), { method: 'GET', target: '/api/v1/agents/7', credential: { kind: 'principal', id: 'alice', roles: ['viewer'], scopes: [] }, clientAddress: '10.0.0.1' }, 0);
    expect(r.status).toBe('forward');
    expect(r.rateLimitBuckets).toHaveLength(1);
    expect(r.rateLimitBuckets[0]).toMatch(/^reads\|/);
    expect(r.rateLimitBuckets[0]).toContain('alice');
  });
});
