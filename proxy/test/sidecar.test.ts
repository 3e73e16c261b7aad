/**
 * The sidecar end to end: the demo backend and the sidecar on free ports, real HTTP, the demo bundle.
 * Every status here is asserted together with what the backend did (or did not) receive.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportJWK, generateKeyPair, importJWK, type JWTPayload } from 'jose';
import type { PolicyBundleInput } from '@agentcore/policies';
import { startDemoBackend, type DemoBackend } from '../../e2e/src/demo-backend.js';
import { demoBundle, demoCredentials, demoPrivateJwk, rawRequest, startTestSidecar, type TestSidecar } from './helpers.js';

const { viewer: VIEWER_KEY, operator: OPERATOR_KEY } = demoCredentials.apiKeys;
const now = (): number => Math.floor(Date.now() / 1000);

async function signDemo(claims: JWTPayload, opts: { exp?: number | null; sub?: string | null; aud?: string; nbf?: number; iss?: string } = {}): Promise<string> {
  const key = await importJWK(demoPrivateJwk, 'ES256');
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid }).setIssuer(opts.iss ?? demoCredentials.jwt.issuer).setAudience(opts.aud ?? demoCredentials.jwt.audience).setIssuedAt();
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'alice');
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 600);
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(key);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The demo bundle plus keys for the edge cases (expired, not yet valid). */
function testBundle(): PolicyBundleInput {
  const b = demoBundle() as { authentication: { apiKeys: unknown[] } } & PolicyBundleInput;
  b.authentication.apiKeys.push(
    { id: 'expired-key', sha256: sha256('agc_test_expired'), principal: 'svc-old', roles: ['operator'], expiresAt: '2020-01-01T00:00:00Z' },
    { id: 'future-key', sha256: sha256('agc_test_future'), principal: 'svc-new', roles: ['operator'], notBefore: '2999-01-01T00:00:00Z' },
    { id: 'disabled-key', sha256: sha256('agc_test_disabled'), principal: 'svc-off', roles: ['operator'], disabled: true },
  );
  // The demo backend's test helpers (slow answers, streams, malformed responses) behind a short per-try timeout.
  // SSE goes through an upstream whose body idle timeout (300 ms) is shorter than the event interval:
  // an SSE route must not be cut by it.
  (b as { upstreams?: Record<string, unknown> }).upstreams = { 'test-helpers': { timeouts: { perTryMs: 500 } }, 'short-idle': { timeouts: { idleMs: 300 } } };
  (b.routes as { id: string; upstream?: string }[]).find((r) => r.id === 'agents-status-stream')!.upstream = 'short-idle';
  (b.routes as unknown[]).push(
    { id: 'test-bytes', match: { path: '/__test/bytes', kind: 'exact' }, auth: { required: false }, cache: { ttlSeconds: 60, maxEntryBytes: 1024 } },
    { id: 'test-helpers', match: { path: '/__test', kind: 'prefix' }, auth: { required: false }, upstream: 'test-helpers' },
  );
  return b;
}

let backend: DemoBackend;
let sidecar: TestSidecar;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  sidecar = await startTestSidecar(backend.url, testBundle());
});
afterAll(async () => {
  await sidecar?.close();
  await backend?.close();
});
beforeEach(() => {
  backend.received.length = 0;
});

const get = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> => fetch(sidecar.url + path, { headers, ...init });
const errorOf = async (r: Response): Promise<{ code: string; message: string; details: Record<string, unknown>; request_id: string; timestamp: string }> =>
  ((await r.json()) as { error: { code: string; message: string; details: Record<string, unknown>; request_id: string; timestamp: string } }).error;

describe('the demo policy', () => {
  it('serves a public route without credentials', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a protected route without credentials: 401, WWW-Authenticate, the error format, nothing upstream', async () => {
    const r = await get('/api/v1/agents');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const e = await errorOf(r);
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.details.reason).toBe('NO_CREDENTIALS');
    expect(e.request_id).toBe(r.headers.get('x-request-id'));
    expect(new Date(e.timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(backend.received).toHaveLength(0);
  });

  it('lets a demo JWT with the viewer role read', async () => {
    const token = await signDemo({ roles: ['viewer'] });
    const r = await get('/api/v1/agents', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(200);
    expect(Array.isArray(((await r.json()) as { agents: unknown[] }).agents)).toBe(true);
    const seen = backend.received.at(-1)!;
    expect(seen.headers['x-auth-subject']).toBe('alice');
    expect(seen.headers['x-auth-method']).toBe('jwt');
    expect(seen.headers['x-auth-roles']).toBe('viewer');
  });

  it('lets a demo API key read, with either header', async () => {
    for (const headers of [{ 'x-api-key': VIEWER_KEY }, { authorization: `ApiKey ${VIEWER_KEY}` }] as Record<string, string>[]) {
      const r = await get('/api/v1/agents', headers);
      expect(r.status).toBe(200);
    }
    expect(backend.received.at(-1)!.headers['x-auth-subject']).toBe('svc-dashboard');
    expect(backend.received.at(-1)!.headers['x-auth-method']).toBe('api-key');
  });

  it('forbids a write to the viewer role (403 with the reason and the missing permission)', async () => {
    const r = await get('/api/v1/agents', { 'x-api-key': VIEWER_KEY, 'content-type': 'application/json' }, { method: 'POST', body: '{"name":"x"}' });
    expect(r.status).toBe(403);
    const e = await errorOf(r);
    expect(e.code).toBe('FORBIDDEN');
    expect(e.details.reason).toBe('MISSING_PERMISSION');
    expect(e.details.missing).toEqual(['agents:write']);
    expect(backend.received).toHaveLength(0);
  });

  it('keeps the admin route from every demo role', async () => {
    const token = await signDemo({ roles: ['operator', 'viewer'] });
    const r = await get('/api/v1/admin/users', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(403);
    expect(backend.received).toHaveLength(0);
  });

  it('answers 404 for no route and 405 with Allow for a wrong method', async () => {
    const r = await get('/nope', { 'x-api-key': OPERATOR_KEY });
    expect(r.status).toBe(404);
    expect((await errorOf(r)).code).toBe('NOT_FOUND');
    const m = await get('/healthz', {}, { method: 'DELETE' });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toContain('GET');
  });

  it('rate-limits writes: 5 per 10 s per client, then 429 with Retry-After and RateLimit headers', async () => {
    const token = await signDemo({ roles: ['operator'] }, { sub: 'rate-test-user' });
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 7; i++) {
      last = await get('/api/v1/agents', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, { method: 'POST', body: JSON.stringify({ name: `a${i}` }) });
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('ratelimit-policy')).toContain('"demo-writes";q=5;w=10');
        expect(last.headers.get('ratelimit')).toMatch(/"demo-writes";r=4;t=\d+/);
      }
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(last!.headers.get('retry-after'))).toBeLessThanOrEqual(10);
    const e = await errorOf(last!);
    expect(e.code).toBe('RATE_LIMITED');
    expect(backend.received.filter((x) => x.method === 'POST')).toHaveLength(5);
    // Another client has its own budget.
    const other = await signDemo({ roles: ['operator'] }, { sub: 'someone-else' });
    const r = await get('/api/v1/agents', { authorization: `Bearer ${other}`, 'content-type': 'application/json' }, { method: 'POST', body: '{"name":"b"}' });
    expect(r.status).toBe(201);
  });
});

describe('bad credentials', () => {
  let hsWithPublicKey: string;
  let otherKeyToken: string;
  beforeAll(async () => {
    const pub = { ...demoPrivateJwk };
    delete pub.d;
    // An attacker signs HS256 using the (public) verification key as the HMAC secret.
    const secret = new TextEncoder().encode(JSON.stringify(pub));
    hsWithPublicKey = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256', kid: demoCredentials.jwt.kid })
      .setIssuer(demoCredentials.jwt.issuer)
      .setAudience(demoCredentials.jwt.audience)
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(secret);
    const other = await generateKeyPair('ES256', { extractable: true });
    void (await exportJWK(other.publicKey));
    otherKeyToken = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
      .setIssuer(demoCredentials.jwt.issuer)
      .setAudience(demoCredentials.jwt.audience)
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(other.privateKey);
  });

  const unsigned = (): string => {
    const enc = (o: unknown): string => base64url.encode(JSON.stringify(o));
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ sub: 'mallory', iss: demoCredentials.jwt.issuer, aud: demoCredentials.jwt.audience, exp: now() + 600, roles: ['operator'] })}.`;
  };

  it.each<[string, () => Promise<string> | string, string]>([
    ['malformed', () => 'not.a.jwt', 'INVALID_TOKEN'],
    ['unsigned (alg none)', unsigned, 'INVALID_TOKEN'],
    ['HS256 signed with the public key', () => hsWithPublicKey, 'INVALID_TOKEN'],
    ['signed by another key', () => otherKeyToken, 'INVALID_TOKEN'],
    ['expired', () => signDemo({ roles: ['operator'] }, { exp: now() - 120 }), 'TOKEN_EXPIRED'],
    ['not yet valid', () => signDemo({ roles: ['operator'] }, { nbf: now() + 600 }), 'TOKEN_NOT_YET_VALID'],
    ['wrong audience', () => signDemo({ roles: ['operator'] }, { aud: 'someone-else' }), 'INVALID_AUDIENCE'],
    ['no exp', () => signDemo({ roles: ['operator'] }, { exp: null }), 'INVALID_TOKEN'],
    ['no sub', () => signDemo({ roles: ['operator'] }, { sub: null }), 'INVALID_TOKEN'],
    ['unknown issuer', () => signDemo({ roles: ['operator'] }, { iss: 'https://evil.example' }), 'UNKNOWN_ISSUER'],
  ])('JWT %s → 401 %s, nothing upstream', async (_name, make, reason) => {
    const token = await make();
    const r = await get('/api/v1/agents', { authorization: `Bearer ${token}` });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await errorOf(r)).details.reason).toBe(reason);
    expect(backend.received).toHaveLength(0);
  });

  it.each([
    ['unknown', 'agc_demo_doesnotexist', 'UNKNOWN_API_KEY'],
    ['expired', 'agc_test_expired', 'API_KEY_EXPIRED'],
    ['not yet valid', 'agc_test_future', 'API_KEY_NOT_YET_VALID'],
    ['disabled', 'agc_test_disabled', 'API_KEY_DISABLED'],
  ])('API key %s → 401 %s', async (_name, key, reason) => {
    const r = await get('/api/v1/agents', { 'x-api-key': key });
    expect(r.status).toBe(401);
    expect((await errorOf(r)).details.reason).toBe(reason);
    expect(backend.received).toHaveLength(0);
  });

  it('refuses a repeated Authorization header (the second would reach the backend unchecked)', async () => {
    const r = await rawRequest(sidecar.url, `GET /api/v1/debug/echo HTTP/1.1\r\nHost: localhost\r\nAuthorization: ApiKey ${OPERATOR_KEY}\r\nAuthorization: Bearer forged\r\nConnection: close\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.message).toContain('one Authorization');
    expect(backend.received).toHaveLength(0);
  });

  it('refuses two different credentials at once', async () => {
    const r = await get('/api/v1/agents', { 'x-api-key': VIEWER_KEY, authorization: `ApiKey ${OPERATOR_KEY}` });
    expect(r.status).toBe(401);
    expect((await errorOf(r)).details.reason).toBe('MALFORMED_CREDENTIALS');
  });
});

const raw = (target: string, headers = ''): string => `GET ${target} HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${OPERATOR_KEY}\r\n${headers}Connection: close\r\n\r\n`;

describe('path tricks', () => {
  it.each([
    ['double slash', '//api//v1///agents', 200, '/api/v1/agents'],
    ['dot segment', '/api/./v1/agents', 200, '/api/v1/agents'],
    ['dot-dot into the admin prefix', '/api/v1/agents/../admin/users', 403, undefined],
    ['dot-dot escape above root', '/../../api/v1/agents', 200, '/api/v1/agents'],
    ['encoded unreserved (%61)', '/api/v1/%61gents', 200, '/api/v1/agents'],
    ['encoded dot-dot', '/api/v1/x/%2e%2e/agents', 200, '/api/v1/agents'],
    ['case matters', '/API/V1/AGENTS', 404, undefined],
    ['encoded slash', '/api/v1/agents%2fx', 400, undefined],
    ['encoded backslash', '/api/v1/agents%5cx', 400, undefined],
    ['encoded NUL', '/api/v1/agents%00', 400, undefined],
    ['bad percent-encoding', '/api/v1/agents%zz', 400, undefined],
    ['absolute-form target', 'http://evil.example/api/v1/agents', 400, undefined],
  ])('%s: %s → %i', async (_n, target, status, upstreamPath) => {
    const r = await rawRequest(sidecar.url, raw(target));
    expect(r.status).toBe(status);
    if (upstreamPath) expect(backend.received.at(-1)!.url).toBe(upstreamPath);
    else expect(backend.received).toHaveLength(0);
    if (status === 400) expect(JSON.parse(r.body).error.code).toBe('INVALID_REQUEST');
  });

  it('authorises and forwards the same normalised string (query kept verbatim)', async () => {
    const r = await rawRequest(sidecar.url, raw('/api/v1//debug/./echo?a=1&b=%2F'));
    expect(r.status).toBe(200);
    expect(backend.received.at(-1)!.url).toBe('/api/v1/debug/echo?a=1&b=%2F');
  });
});

describe('headers the client must not control', () => {
  it('strips spoofed forwarding and identity headers and sets its own', async () => {
    const r = await get('/api/v1/debug/echo', {
      'x-api-key': OPERATOR_KEY,
      'x-forwarded-for': '6.6.6.6',
      forwarded: 'for=6.6.6.6',
      'x-real-ip': '6.6.6.6',
      'x-auth-subject': 'root',
      'x-auth-roles': 'owner',
      'X-Auth-Anything': 'x',
    });
    expect(r.status).toBe(200);
    const h = backend.received.at(-1)!.headers;
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h.forwarded).toBeUndefined();
    expect(h['x-real-ip']).toBeUndefined();
    expect(h['x-auth-subject']).toBe('svc-ci');
    expect(h['x-auth-roles']).toBe('operator');
    expect(h['x-auth-anything']).toBeUndefined();
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-request-id']).toBe(r.headers.get('x-request-id'));
    expect(h.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('does not send identity headers on public routes even if the client does', async () => {
    await get('/healthz', { 'x-auth-subject': 'root' });
    expect(backend.received.at(-1)!.headers['x-auth-subject']).toBeUndefined();
  });

  it('keeps a valid X-Request-ID and traceparent trace id, replaces invalid ones', async () => {
    const trace = '0af7651916cd43dd8448eb211c80319c';
    const r = await get('/healthz', { 'x-request-id': 'req-12345678', traceparent: `00-${trace}-b7ad6b7169203331-01` });
    expect(r.headers.get('x-request-id')).toBe('req-12345678');
    const h = backend.received.at(-1)!.headers;
    expect(h['x-request-id']).toBe('req-12345678');
    expect(h.traceparent).toMatch(new RegExp(`^00-${trace}-(?!b7ad6b7169203331)[0-9a-f]{16}-01$`));
    const bad = await get('/healthz', { 'x-request-id': 'bad id with spaces\u0001'.replace('\u0001', '') });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('removes hop-by-hop headers and those named in Connection', async () => {
    const r = await rawRequest(sidecar.url, `GET /api/v1/debug/echo HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${OPERATOR_KEY}\r\nConnection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-Kept: yes\r\n\r\n`);
    expect(r.status).toBe(200);
    const h = backend.received.at(-1)!.headers;
    expect(h['x-secret-hop']).toBeUndefined();
    expect(h['keep-alive']).toBeUndefined();
    expect(h['proxy-authorization']).toBeUndefined();
    expect(h.te).toBeUndefined();
    expect(h['x-kept']).toBe('yes');
  });
});

describe('size limits and framing', () => {
  it('answers 431 for oversized headers', async () => {
    const r = await rawRequest(sidecar.url, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(r.status).toBe(431);
    expect(JSON.parse(r.body).error.code).toBe('HEADERS_TOO_LARGE');
  });

  it('answers 413 for a declared body over the route limit, nothing upstream', async () => {
    const r = await get('/api/v1/debug/echo', { 'x-api-key': OPERATOR_KEY, 'content-type': 'application/json' }, { method: 'POST', body: 'x'.repeat(70 * 1024) });
    expect(r.status).toBe(413);
    expect((await errorOf(r)).code).toBe('PAYLOAD_TOO_LARGE');
    expect(backend.received).toHaveLength(0);
  });

  it('answers 413 for a chunked body that grows over the limit', async () => {
    const chunk = 'y'.repeat(16 * 1024);
    const body = Array.from({ length: 6 }, () => `${(chunk.length).toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const r = await rawRequest(sidecar.url, `POST /api/v1/debug/echo HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${OPERATOR_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}`);
    expect(r.status).toBe(413);
  });

  it('refuses Content-Length together with Transfer-Encoding', async () => {
    const r = await rawRequest(sidecar.url, `POST /api/v1/debug/echo?clte HTTP/1.1\r\nHost: localhost\r\nX-API-Key: ${OPERATOR_KEY}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
    expect(r.status).toBe(400);
    await new Promise((res) => setTimeout(res, 100));
    expect(backend.received.filter((x) => x.url.includes('clte'))).toHaveLength(0);
  });

  it('answers 415 for a wrong media type on a route that names its types', async () => {
    const r = await get('/api/v1/agents', { 'x-api-key': OPERATOR_KEY, 'content-type': 'text/plain' }, { method: 'POST', body: 'name=x' });
    expect(r.status).toBe(415);
  });

  it('streams a body both ways unchanged', async () => {
    const body = JSON.stringify({ data: 'z'.repeat(32 * 1024) });
    const r = await get('/api/v1/debug/echo', { 'x-api-key': OPERATOR_KEY, 'content-type': 'application/json' }, { method: 'POST', body });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { body: string }).body).toBe(body);
    const s = await get('/__test/stream?chunks=5&interval_ms=10');
    expect(s.status).toBe(200);
    expect((await s.text()).length).toBeGreaterThan(0);
  });
});

describe('Server-Sent Events', () => {
  const agentId = async (): Promise<string> => {
    const r = await get('/api/v1/agents', { 'x-api-key': VIEWER_KEY });
    return ((await r.json()) as { agents: { id: string }[] }).agents[0]!.id;
  };

  it('streams events as they come, past the upstream idle timeout, and passes Last-Event-ID', async () => {
    const id = await agentId();
    const t0 = Date.now();
    const r = await get(`/api/v1/agents/${id}/status?interval_ms=450&max_events=3`, { 'x-api-key': VIEWER_KEY, 'last-event-id': '41' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = r.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - t0;
    expect(new TextDecoder().decode(first.value)).toContain('id: 42');
    let rest = '';
    for (;;) {
      const c = await reader.read();
      if (c.done) break;
      rest += new TextDecoder().decode(c.value);
    }
    expect(rest).toContain('id: 44');
    // The first event arrived long before the stream ended: nothing buffered the response.
    expect(firstAt).toBeLessThan(Date.now() - t0 - 500);
    expect(backend.received.at(-1)!.headers['last-event-id']).toBe('41');
  });

  it('a client that disconnects closes the upstream stream', async () => {
    const id = await agentId();
    const ac = new AbortController();
    const r = await get(`/api/v1/agents/${id}/status?interval_ms=50`, { 'x-api-key': VIEWER_KEY }, { signal: ac.signal });
    await r.body!.getReader().read();
    expect(backend.sseClientsOpen).toBe(1);
    ac.abort();
    const deadline = Date.now() + 2000;
    while (backend.sseClientsOpen !== 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(backend.sseClientsOpen).toBe(0);
  });
});

describe('response cache', () => {
  it('serves a cacheable GET from the cache the second time, with a strong ETag and 304 on If-None-Match', async () => {
    const q = `?n=100&c=${Date.now()}`;
    const a = await get(`/__test/bytes${q}`);
    expect(a.headers.get('x-cache')).toBe('MISS');
    const bodyA = await a.arrayBuffer();
    const b = await get(`/__test/bytes${q}`);
    expect(b.headers.get('x-cache')).toBe('HIT');
    expect(Buffer.from(await b.arrayBuffer()).equals(Buffer.from(bodyA))).toBe(true);
    const etag = b.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(b.headers.get('x-request-id')).not.toBe(a.headers.get('x-request-id'));
    expect(b.headers.get('x-content-type-options')).toBe('nosniff');
    // fetch() turns a conditional request into Cache-Control: no-cache (Fetch standard), so send it raw.
    const c = await rawRequest(sidecar.url, `GET /__test/bytes${q} HTTP/1.1\r\nHost: ${new URL(sidecar.url).host}\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`);
    expect(c.status).toBe(304);
    expect(c.headers.etag).toBe(etag);
    // A client that asks for a fresh answer goes upstream.
    expect((await get(`/__test/bytes${q}`, { 'cache-control': 'no-cache' })).headers.get('x-cache')).toBe('MISS');
    expect(backend.received.filter((x) => x.url.startsWith('/__test/bytes'))).toHaveLength(2);
    // A different query is a different entry.
    expect((await get(`/__test/bytes${q}&x=1`)).headers.get('x-cache')).toBe('MISS');
  });

  it('never stores an entry larger than the route bound', async () => {
    const q = `?n=5000&c=${Date.now()}`;
    expect((await get(`/__test/bytes${q}`)).headers.get('x-cache')).toBe('MISS');
    const again = await get(`/__test/bytes${q}`);
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect((await again.arrayBuffer()).byteLength).toBe(5000);
    expect(backend.received.filter((x) => x.url === `/__test/bytes${q}`)).toHaveLength(2);
  });

  it('is purged when the bundle changes', async () => {
    const q = `?n=10&c=${Date.now()}`;
    await (await get(`/__test/bytes${q}`)).arrayBuffer();
    expect((await get(`/__test/bytes${q}`)).headers.get('x-cache')).toBe('HIT');
    const applied = await sidecar.apply(sidecar.runtime().bundle, 'test');
    expect(applied.applied).toBe(true);
    expect((await get(`/__test/bytes${q}`)).headers.get('x-cache')).toBe('MISS');
  });
});

describe('CORS', () => {
  it('answers an allowed preflight itself', async () => {
    const r = await get('/api/v1/agents', { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' }, { method: 'OPTIONS' });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
    expect(backend.received).toHaveLength(0);
  });
  it('refuses a preflight from a foreign origin', async () => {
    const r = await get('/api/v1/agents', { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, { method: 'OPTIONS' });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });
  it('adds CORS headers to actual responses for allowed origins only', async () => {
    const ok = await get('/healthz', { origin: 'http://localhost:5173' });
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const no = await get('/healthz', { origin: 'https://evil.example' });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('upstream failures', () => {
  let dead: TestSidecar;
  let badServer: Server;
  let badSidecar: TestSidecar;
  beforeAll(async () => {
    // A port nothing listens on: bind and close.
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    dead = await startTestSidecar(`http://127.0.0.1:${port}`);
    badServer = createServer();
    badServer.on('connection', (sock) => sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nBad Header\u0001: x\r\nContent-Length: 2\r\n\r\nok')));
    await new Promise<void>((r) => badServer.listen(0, '127.0.0.1', () => r()));
    badSidecar = await startTestSidecar(`http://127.0.0.1:${(badServer.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await dead?.close();
    await badSidecar?.close();
    await new Promise<void>((r) => badServer.close(() => r()));
  });

  it('upstream down → 502 BAD_GATEWAY, the sidecar stays up', async () => {
    const r = await fetch(dead.url + '/healthz');
    expect(r.status).toBe(502);
    expect((await errorOf(r)).code).toBe('BAD_GATEWAY');
    expect((await fetch(dead.adminUrl + '/healthz')).status).toBe(200);
  });

  it('upstream too slow → 504 UPSTREAM_TIMEOUT, then the next request works', async () => {
    const t0 = Date.now();
    const r = await get('/__test/slow?ms=3000');
    expect(r.status).toBe(504);
    expect((await errorOf(r)).code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2500);
    expect((await get('/__test/slow?ms=10')).status).toBe(200);
  });

  it('upstream dying mid-response → the client connection is cut, the sidecar stays up', async () => {
    await expect(get('/__test/destroy').then((r) => r.text())).rejects.toThrow();
    expect((await get('/healthz')).status).toBe(200);
  });

  it('client abort → the upstream request is aborted too', async () => {
    const ac = new AbortController();
    const r = await get('/__test/stream?chunks=50&interval_ms=50', {}, { signal: ac.signal });
    expect(r.status).toBe(200);
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    await new Promise((res) => setTimeout(res, 300));
    const line = sidecar.accessLines().filter((l) => l.path === '/__test/stream').at(-1)!;
    expect(line.status).toBe(499);
    expect(line.upstream_error).toBe('client-aborted');
  });

  it('upstream sending a malformed header → 502', async () => {
    const r = await fetch(badSidecar.url + '/healthz');
    expect(r.status).toBe(502);
    expect((await errorOf(r)).details).toEqual({});
    expect((await fetch(badSidecar.adminUrl + '/healthz')).status).toBe(200);
  });
});

describe('observability', () => {
  it('logs one access line per request with the listed fields, and no secrets', async () => {
    const token = await signDemo({ roles: ['viewer'] }, { sub: 'log-user' });
    await get('/api/v1/agents?token=supersecret&x=1', { authorization: `Bearer ${token}`, cookie: 'session=cookiesecret', 'x-request-id': 'log-test-0001' });
    await get('/api/v1/agents', { 'x-api-key': VIEWER_KEY, 'x-request-id': 'log-test-0002' });
    await get('/api/v1/agents', { 'x-request-id': 'log-test-0003' });
    await new Promise((r) => setTimeout(r, 120)); // access lines are written in batches (≤ 50 ms)
    const lines = sidecar.accessLines();
    const a = lines.find((l) => l.request_id === 'log-test-0001')!;
    expect(a).toMatchObject({ method: 'GET', path: '/api/v1/agents', route: 'agents-list', status: 200, principal: 'log-user', auth_method: 'jwt', decision: 'allow', reason: 'GRANTED', client: '127.0.0.1' });
    expect(a.query).toBe('token=[REDACTED]&x=1');
    expect(a.trace_id).toMatch(/^[0-9a-f]{32}$/);
    for (const k of ['latency_ms', 'upstream_ms', 'bytes_in', 'bytes_out']) expect(typeof a[k]).toBe('number');
    const denied = lines.find((l) => l.request_id === 'log-test-0003')!;
    expect(denied).toMatchObject({ status: 401, decision: 'deny', reason: 'NO_CREDENTIALS', auth_failure: 'NO_CREDENTIALS', route: 'agents-list' });
    const text = sidecar.logText();
    for (const secret of [token, 'supersecret', 'cookiesecret', VIEWER_KEY, OPERATOR_KEY]) expect(text).not.toContain(secret);
  });

  it('exposes Prometheus metrics with bounded labels on the admin port', async () => {
    await get('/api/v1/agents/some-random-id-123', { 'x-api-key': VIEWER_KEY });
    const text = await (await fetch(sidecar.adminUrl + '/metrics')).text();
    expect(text).toMatch(/agentcore_proxy_requests_total\{route="agents-list",method="GET",status_class="2xx",decision="allow"\} \d+/);
    expect(text).toMatch(/agentcore_proxy_request_duration_seconds_bucket\{le="0.005",route="agents-list"/);
    expect(text).toMatch(/agentcore_proxy_auth_failures_total\{reason="NO_CREDENTIALS"\} \d+/);
    expect(text).toMatch(/agentcore_proxy_rate_limit_decisions_total\{route="agents-list",result="allowed"\} \d+/);
    expect(text).toMatch(/agentcore_proxy_upstream_duration_seconds_count\{route="agents-list"\} \d+/);
    expect(text).toMatch(/agentcore_proxy_bundle_revision\{service="agents"\} 1/);
    expect(text).not.toContain('some-random-id-123');
  });

  it('reports the bundle and readiness on the admin port', async () => {
    const b = (await (await fetch(sidecar.adminUrl + '/bundle')).json()) as Record<string, unknown>;
    expect(b).toMatchObject({ service: 'agents', revision: 1 });
    expect((await fetch(sidecar.adminUrl + '/readyz')).status).toBe(200);
  });
});
