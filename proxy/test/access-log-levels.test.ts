/**
 * The bundle's access-log detail levels through the assembled sidecar: for each of none, minimal, standard and
 * full, exactly which fields a line carries and which it omits — and that no level ever writes a credential, a
 * redacted query value or a redacted header's value.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBundle, demoCredentials, startTestSidecar, type TestSidecar } from './helpers.js';

const KEY = demoCredentials.apiKeys.viewer;
const SECRETS = [KEY, 'q-secret-token', 'cookie-secret', 'internal-secret'];
let backend: Server;
let backendUrl: string;
const sidecars: TestSidecar[] = [];

beforeAll(async () => {
  backend = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"agents":[]}'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sidecars) await s.close();
  backend.close();
});

const MINIMAL = ['level', 'time', 'svc', 'msg', 'request_id', 'method', 'path', 'route', 'status', 'latency_ms', 'decision', 'reason', 'client'];
const STANDARD = [...MINIMAL, 'trace_id', 'query', 'upstream_ms', 'principal', 'auth_method', 'credential', 'bytes_in', 'bytes_out', 'user_agent'];

/** A sidecar at `level`, one allowed request carrying secrets in every place they could leak from; its access line. */
async function oneLine(level: 'none' | 'minimal' | 'standard' | 'full'): Promise<{ line: Record<string, unknown> | undefined; text: string }> {
  const b = demoBundle() as ReturnType<typeof demoBundle> & { logging: unknown };
  b.logging = { level, redactHeaders: ['X-Internal-Token'] };
  const s = await startTestSidecar(backendUrl, b);
  sidecars.push(s);
  const r = await fetch(`${s.url}/api/v1/agents?page=2&token=q-secret-token`, {
    headers: { 'x-api-key': KEY, cookie: 'sid=cookie-secret', 'x-internal-token': 'internal-secret', 'user-agent': 'level-test/1.0' },
  });
  expect(r.status).toBe(200);
  await r.arrayBuffer();
  await s.close(); // flushes the batched access log
  return { line: s.accessLines()[0], text: s.logText() };
}

describe('access-log detail levels', () => {
  it('none: writes no access line', async () => {
    const { line, text } = await oneLine('none');
    expect(line).toBeUndefined();
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('minimal: the decision only — no query, principal, credential, trace, sizes, user agent or headers', async () => {
    const { line, text } = await oneLine('minimal');
    expect(Object.keys(line!).sort()).toEqual([...MINIMAL].sort());
    expect(line).toMatchObject({ method: 'GET', path: '/api/v1/agents', route: 'agents-list', status: 200, decision: 'allow', reason: 'GRANTED', client: '127.0.0.1' });
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('standard: adds who and how much, with the token query value redacted; no request headers', async () => {
    const { line, text } = await oneLine('standard');
    expect(Object.keys(line!).sort()).toEqual([...STANDARD].sort());
    expect(line!.query).toBe('page=2&token=[REDACTED]');
    expect(line).toMatchObject({ principal: expect.any(String), auth_method: 'api-key', credential: expect.any(String), user_agent: 'level-test/1.0' });
    expect(line!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(line!.bytes_out).toBeGreaterThan(0);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('full: adds the request headers, with credentials and the bundle-named header redacted', async () => {
    const { line, text } = await oneLine('full');
    expect(Object.keys(line!).sort()).toEqual([...STANDARD, 'request_headers'].sort());
    const h = line!.request_headers as Record<string, string>;
    expect(h['x-api-key']).toBe('[REDACTED]');
    expect(h.cookie).toBe('[REDACTED]');
    expect(h['x-internal-token']).toBe('[REDACTED]');
    expect(h['user-agent']).toBe('level-test/1.0');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});
