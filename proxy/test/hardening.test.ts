/**
 * Findings 1–6 of issue #9 (an attacker's run against the sidecar), each replayed against a real sidecar in front of
 * a real echo backend: client errors never touch breaker state, the cache is keyed on the host and never shares a
 * credentialed answer, header names with underscores are dropped or refused, `Host` is validated, and identity
 * values reach the backend percent-encoded.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT } from 'jose';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBundle, demoCredentials, demoPrivateJwk, rawRequest, startTestSidecar, type TestSidecar } from './helpers.js';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  raw: string[];
}

const seen: Seen[] = [];
let backend: Server;
let backendUrl = '';
let sidecar: TestSidecar;
let port = 0;

/** Echoes the host and whether credentials came along; `?public` answers `public`, else `max-age` only. */
function startBackend(): Promise<void> {
  backend = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers, raw: req.rawHeaders });
    const cc = (req.url ?? '').includes('public') ? 'public, max-age=60' : 'max-age=60';
    const who = req.headers['x-api-key'] ?? req.headers.authorization ?? req.headers.cookie ?? 'anonymous';
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': cc }).end(`host=${req.headers.host} who=${who}`);
  });
  return new Promise((r) =>
    backend.listen(0, '127.0.0.1', () => {
      backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
      r();
    }),
  );
}

function bundle(extra: Record<string, unknown> = {}): PolicyBundleInput {
  const demo = demoBundle() as Record<string, unknown>;
  return {
    version: 1,
    service: 'hardening',
    revision: 1,
    authentication: demo.authentication,
    roles: demo.roles,
    routes: [
      { id: 'who', match: { path: '/who', kind: 'exact' } },
      { id: 'internal', match: { host: 'internal.example', path: '/', kind: 'prefix' }, permissions: ['debug:read'] },
      { id: 'cached', match: { path: '/cached', kind: 'prefix' }, auth: { required: false }, cache: { ttlSeconds: 60 } },
      { id: 'public', match: { path: '/', kind: 'prefix' }, auth: { required: false } },
    ],
    upstreams: { default: { circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } } },
    ...extra,
  } as PolicyBundleInput;
}

async function jwt(sub: string, roles: string[]): Promise<string> {
  const key = await importJWK(demoPrivateJwk, 'ES256');
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
    .setIssuer(demoCredentials.jwt.issuer)
    .setAudience(demoCredentials.jwt.audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

/** A raw GET with the given header lines (no Host added). */
const raw = (path: string, lines: string[]): ReturnType<typeof rawRequest> => rawRequest(sidecar.url, `GET ${path} HTTP/1.1\r\n${lines.map((l) => l + '\r\n').join('')}connection: close\r\n\r\n`);
const circuit = (): string => sidecar.runtime().upstreamSnapshots()[0]!.circuit;

beforeAll(async () => {
  await startBackend();
  sidecar = await startTestSidecar(backendUrl, bundle());
  port = Number(new URL(sidecar.url).port);
});
afterAll(async () => {
  await sidecar?.close();
  backend?.closeAllConnections();
  await new Promise<void>((r) => backend.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
});

describe('finding 1: requests the sidecar cannot forward never count against the upstream', () => {
  it('refuses two Host headers and a non-Latin-1 subject without opening the breaker; a normal request still gets 200', async () => {
    const token = await jwt('李雷', ['viewer']);
    for (let i = 0; i < 5; i++) {
      const twoHosts = await raw('/x', [`host: 127.0.0.1:${port}`, 'host: evil.example']);
      expect(twoHosts.status).toBe(400);
      const r = await fetch(sidecar.url + '/who', { headers: { authorization: `Bearer ${token}` } });
      expect(r.status).not.toBe(502);
      expect(r.status).toBeLessThan(500);
    }
    const ok = await fetch(sidecar.url + '/x');
    expect(ok.status).toBe(200);
    expect(circuit()).toBe('closed');
    expect(seen.some((s) => s.url === '/x')).toBe(true);
  });
});

describe('finding 1: a header undici would refuse is answered 400 before admission', () => {
  it('a bundle rename that makes a second Host: 400 every time, the breaker stays closed, nothing reaches the backend', async () => {
    const b = bundle() as { routes: Record<string, unknown>[] } & PolicyBundleInput;
    b.routes.at(-1)!.headers = { request: { rename: { 'x-alt-host': 'host' } } };
    const s = await startTestSidecar(backendUrl, b);
    try {
      for (let i = 0; i < 5; i++) {
        const r = await fetch(s.url + '/x', { headers: { 'x-alt-host': 'evil.example' } });
        expect(r.status).toBe(400);
        expect(((await r.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('UNFORWARDABLE_HEADER');
      }
      expect(seen).toHaveLength(0);
      expect((await fetch(s.url + '/x')).status).toBe(200);
      expect(s.runtime().upstreamSnapshots()[0]!.circuit).toBe('closed');
    } finally {
      await s.close();
    }
  });
});

describe('finding 2: the response cache is keyed on the host it forwards', () => {
  it('never serves a response built for Host: evil.example to Host: good.example', async () => {
    const evil = await raw('/cached/host', ['host: evil.example']);
    expect(evil.body).toContain('host=evil.example');
    const good = await raw('/cached/host', ['host: good.example']);
    expect(good.status).toBe(200);
    expect(good.headers['x-cache']).toBe('MISS');
    expect(good.body).toContain('host=good.example');
    const again = await raw('/cached/host', ['host: good.example']);
    expect(again.headers['x-cache']).toBe('HIT');
    expect(again.body).toContain('host=good.example');
  });
});

describe('finding 3: credentialed requests are not stored in the shared cache', () => {
  it.each([
    ['x-api-key', demoCredentials.apiKeys.viewer],
    ['authorization', 'Bearer abc.def.ghi'],
    ['cookie', 'session=s3cr3t'],
  ])('a response to a request with %s is not served to an anonymous client', async (name, value) => {
    const path = `/cached/cred-${name}`;
    const first = await fetch(sidecar.url + path, { headers: { [name]: value } });
    expect(await first.text()).toContain(`who=${value}`);
    const anon = await fetch(sidecar.url + path);
    expect(anon.headers.get('x-cache')).toBe('MISS');
    expect(await anon.text()).toContain('who=anonymous');
  });

  it('stores a credentialed response the backend marks public (RFC 9111 §3.5)', async () => {
    const path = '/cached/cred-public';
    await fetch(sidecar.url + path, { headers: { 'x-api-key': demoCredentials.apiKeys.viewer } });
    const anon = await fetch(sidecar.url + path);
    expect(anon.headers.get('x-cache')).toBe('HIT');
  });
});

describe('finding 4: header names with underscores', () => {
  it('are dropped by default, so X_Auth_Subject never reaches the backend', async () => {
    const r = await raw('/x', [`host: 127.0.0.1:${port}`, 'X_Auth_Subject: root', 'X-Auth_Roles: admin', 'x_custom: 1', 'x-fine: 2']);
    expect(r.status).toBe(200);
    const names = seen.at(-1)!.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n.includes('_'))).toEqual([]);
    expect(names).toContain('x-fine');
  });

  it('are refused with 400 when the bundle says reject, and forwarded (identity look-alikes still dropped) on allow', async () => {
    const s = await startTestSidecar(backendUrl, bundle({ requestHeaders: { withUnderscores: 'reject' } }));
    try {
      const r = await fetch(s.url + '/x', { headers: { x_custom: '1' } });
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('HEADER_NAME_UNDERSCORE');
    } finally {
      await s.close();
    }
    const a = await startTestSidecar(backendUrl, bundle({ requestHeaders: { withUnderscores: 'allow' } }));
    try {
      expect((await fetch(a.url + '/x', { headers: { x_custom: '1', x_auth_subject: 'root', x_forwarded_for: '1.2.3.4' } })).status).toBe(200);
      const h = seen.at(-1)!.headers;
      expect(h.x_custom).toBe('1');
      expect(h.x_auth_subject).toBeUndefined();
      expect(h.x_forwarded_for).toBeUndefined();
    } finally {
      await a.close();
    }
  });
});

describe('finding 5: Host is validated (RFC 9112 §3.2, RFC 3986 §3.2.2)', () => {
  const bad: [string, string[]][] = [
    ['no Host', []],
    ['two Host headers', ['host: internal.example', 'host: public.example']],
    ['userinfo', ['host: user@internal.example']],
    ['userinfo hiding the real host', ['host: internal.example@public.example']],
    ['a path', ['host: public.example/internal.example']],
    ['a space', ['host: internal .example']],
    ['unbalanced bracket', ['host: [::1']],
    ['bracket without IPv6', ['host: [internal.example]']],
    ['a port that is not a number', ['host: internal.example:80x']],
    ['a port out of range', ['host: internal.example:65536']],
    ['an empty port', ['host: internal.example:']],
    ['a comma list', ['host: public.example,internal.example']],
    ['a query', ['host: internal.example?x']],
    ['a percent-encoded name', ['host: internal%2eexample']],
  ];
  it.each(bad)('%s → 400, nothing forwarded, the host-scoped route not bypassed', async (_name, lines) => {
    const r = await raw('/secret', lines);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error.code).toBe('INVALID_REQUEST');
    expect(seen).toHaveLength(0);
  });

  it.each([['internal.example'], ['INTERNAL.example'], ['internal.example:8080'], ['internal.example.']])('the host-scoped route applies to Host: %s', async (host) => {
    const r = await raw('/secret', [`host: ${host}`]);
    expect(r.status).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it.each([['127.0.0.1:1'], ['[::1]:8080'], ['public.example'], ['xn--bcher-kva.example']])('a valid Host (%s) is accepted', async (host) => {
    expect((await raw('/x', [`host: ${host}`])).status).toBe(200);
  });

  it('an HTTP/1.0 request without Host is accepted (Host is required of HTTP/1.1 only)', async () => {
    const r = await rawRequest(sidecar.url, 'GET /x HTTP/1.0\r\n\r\n');
    expect(r.status).toBe(200);
  });
});

describe('finding 6: identity values reach the backend percent-encoded', () => {
  const decode = (v: string | string[] | undefined): string => decodeURIComponent(String(v));
  it.each([['李雷'], ['alice\r\nx-auth-roles: admin'], ['bob, root'], ['100% real'], ['josé']])('subject %j → 200 and the backend decodes it exactly', async (sub) => {
    const r = await fetch(sidecar.url + '/who', { headers: { authorization: `Bearer ${await jwt(sub, ['viewer'])}` } });
    expect(r.status).toBe(200);
    const h = seen.at(-1)!.headers;
    expect(decode(h['x-auth-subject'])).toBe(sub);
    expect(h['x-auth-roles']).toBe('viewer');
  });

  it('a role that is an LDAP DN stays one role; a role with "," is never read as several', async () => {
    const roles = ['cn=ops,ou=groups,dc=example,dc=org', 'operator,admin,root', 'viewer', 'rôle ✓'];
    const r = await fetch(sidecar.url + '/who', { headers: { authorization: `Bearer ${await jwt('alice', roles)}` } });
    expect(r.status).toBe(200);
    const header = seen.at(-1)!.headers['x-auth-roles'] as string;
    expect(header).toBe('cn=ops%2Cou=groups%2Cdc=example%2Cdc=org,operator%2Cadmin%2Croot,viewer,r%C3%B4le%20%E2%9C%93');
    expect(header.split(',').map(decodeURIComponent)).toEqual(roles);
  });
});
