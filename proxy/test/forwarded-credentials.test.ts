/**
 * Issue #9, "decide, document, test": what the backend does not receive. Credentials the sidecar consumed
 * (`Authorization`, `X-API-Key`) are stripped by default on every route, public ones too, unless the route says
 * `forwardCredentials: true`; request-rewriting headers (`X-HTTP-Method-Override`, `X-Original-URL`, …) never cross.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoBundle, demoCredentials, startTestSidecar, type TestSidecar } from './helpers.js';

let backend: Server;
let sidecar: TestSidecar;
const seen: { url: string; method: string; headers: IncomingHttpHeaders }[] = [];

function bundle(): PolicyBundleInput {
  const b = demoBundle() as PolicyBundleInput & { routes: Record<string, unknown>[] };
  b.routes.push(
    { id: 'passthrough', match: { methods: ['GET'], path: '/legacy/passthrough', kind: 'exact' }, permissions: ['agents:read'], forwardCredentials: true },
    { id: 'public-passthrough', match: { methods: ['GET'], path: '/legacy/public', kind: 'exact' }, auth: { required: false }, forwardCredentials: true },
  );
  return b;
}

beforeAll(async () => {
  backend = createServer((req, res) => {
    seen.push({ url: req.url ?? '', method: req.method ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, bundle());
});
afterAll(async () => {
  await sidecar.close();
  backend.close();
});

async function through(path: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  const r = await fetch(sidecar.url + path, { headers });
  expect(r.status).toBe(200);
  return seen.at(-1)!.headers;
}

const viewerKey = demoCredentials.apiKeys.viewer;

describe('credentials are not forwarded by default', () => {
  it('X-API-Key consumed on a protected route does not reach the backend; the identity headers do', async () => {
    const h = await through('/api/v1/agents', { 'x-api-key': viewerKey });
    expect(h['x-api-key']).toBeUndefined();
    expect(h.authorization).toBeUndefined();
    expect(h['x-auth-subject']).toBeDefined();
  });

  it('Authorization: ApiKey is stripped too', async () => {
    const h = await through('/api/v1/agents', { authorization: `ApiKey ${viewerKey}` });
    expect(h.authorization).toBeUndefined();
  });

  it('on a public route, credentials sent anyway are stripped', async () => {
    const h = await through('/healthz', { authorization: 'Bearer abc.def.ghi', 'x-api-key': 'whatever-key' });
    expect(h.authorization).toBeUndefined();
    expect(h['x-api-key']).toBeUndefined();
  });

  it('forwardCredentials: true forwards them (protected and public routes)', async () => {
    expect((await through('/legacy/passthrough', { 'x-api-key': viewerKey }))['x-api-key']).toBe(viewerKey);
    expect((await through('/legacy/public', { authorization: 'Bearer abc' })).authorization).toBe('Bearer abc');
  });
});

describe('request-rewriting headers never cross', () => {
  it.each(['x-http-method-override', 'x-http-method', 'x-method-override', 'x-original-url', 'x-rewrite-url'])('%s is stripped', async (name) => {
    const h = await through('/healthz', { [name]: name.includes('url') ? '/api/v1/admin' : 'DELETE' });
    expect(h[name]).toBeUndefined();
    expect(seen.at(-1)!.method).toBe('GET');
  });
});
