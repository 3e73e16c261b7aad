/**
 * An open WebSocket does not outlive what admitted it (issue #9, item 12): after a bundle reload removes the
 * role's permission, revokes the API key, or turns WebSocket off on the route, and when a JWT expires, the open
 * connection is closed with 1008 policy violation within a second; connections still allowed stay open.
 */
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { importJWK, SignJWT } from 'jose';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { demoBundle, demoCredentials, demoPrivateJwk, startTestSidecar, type TestSidecar } from './helpers.js';

let backend: WebSocketServer;
let upstream = '';
const sidecars: TestSidecar[] = [];
const sockets: WebSocket[] = [];

beforeAll(async () => {
  backend = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  backend.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise((r) => backend.once('listening', r));
  upstream = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const s of sidecars.splice(0)) await s.close();
});
afterAll(async () => {
  await new Promise((r) => backend.close(r));
});

type Bundle = PolicyBundleInput & { revision: number; routes: Record<string, unknown>[]; roles: { name: string; permissions: string[] }[]; authentication: { apiKeys: { id: string }[] } };

function wsBundle(revision: number, change?: (b: Bundle) => void): Bundle {
  const b = demoBundle() as Bundle;
  b.revision = revision;
  b.routes.unshift({
    id: 'live',
    match: { methods: ['GET'], path: '/api/v1/agents/{id}/live', kind: 'template' },
    permissions: ['agents:read'],
    websocket: { tokenIn: ['protocol'] },
  });
  change?.(b);
  return b;
}

async function sidecar(): Promise<TestSidecar> {
  const s = await startTestSidecar(upstream, wsBundle(1));
  sidecars.push(s);
  return s;
}

async function reload(s: TestSidecar, b: Bundle): Promise<void> {
  writeFileSync(s.bundlePath, JSON.stringify(b));
  expect(await s.reload()).toMatchObject({ applied: true, revision: b.revision });
}

function connect(s: TestSidecar, opts: { key?: string; token?: string }): Promise<WebSocket> {
  const url = s.url.replace('http:', 'ws:') + '/api/v1/agents/a1/live';
  const ws = opts.token ? new WebSocket(url, ['chat.v1', `bearer.${opts.token}`]) : new WebSocket(url, { headers: { 'x-api-key': opts.key! } });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** The close code and how long after `from` it came; `undefined` when still open after `ms`. */
function closeOf(ws: WebSocket, from: number, ms = 3000): Promise<{ code: number; after: number } | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    ws.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, after: performance.now() - from });
    });
  });
}

const echo = (ws: WebSocket, text: string): Promise<string> =>
  new Promise((resolve) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.send(text);
  });

describe('open WebSockets re-checked on every bundle change', () => {
  it('a reload that removes the role permission closes the viewer (1008) within 1 s; the operator stays', async () => {
    const s = await sidecar();
    const viewer = await connect(s, { key: demoCredentials.apiKeys.viewer });
    const operator = await connect(s, { key: demoCredentials.apiKeys.operator });
    expect(await echo(viewer, 'v')).toBe('v');
    const t0 = performance.now();
    const closed = closeOf(viewer, t0);
    const kept = closeOf(operator, t0, 1500);
    await reload(
      s,
      wsBundle(2, (b) => {
        b.roles.find((r) => r.name === 'viewer')!.permissions = ['workflows:read'];
        const op = b.roles.find((r) => r.name === 'operator')!;
        op.permissions = [...(op.permissions ?? []), 'agents:read'];
      }),
    );
    const c = await closed;
    expect(c?.code).toBe(1008);
    expect(c!.after).toBeLessThan(1000);
    expect(await kept).toBeUndefined();
    expect(await echo(operator, 'still here')).toBe('still here');
    expect(s.logText()).toContain('WebSocket closed: no longer allowed (1008)');
  });

  it('a reload that revokes the API key closes its connection (1008)', async () => {
    const s = await sidecar();
    const ws = await connect(s, { key: demoCredentials.apiKeys.operator });
    const t0 = performance.now();
    const closed = closeOf(ws, t0);
    await reload(
      s,
      wsBundle(2, (b) => {
        b.authentication.apiKeys = b.authentication.apiKeys.filter((k) => k.id !== 'demo-operator');
      }),
    );
    const c = await closed;
    expect(c?.code).toBe(1008);
    expect(c!.after).toBeLessThan(1000);
  });

  it('a reload that turns WebSocket off on the route closes the connection (1008); an unrelated reload does not', async () => {
    const s = await sidecar();
    const ws = await connect(s, { key: demoCredentials.apiKeys.viewer });
    const untouched = closeOf(ws, performance.now(), 800);
    await reload(s, wsBundle(2));
    expect(await untouched).toBeUndefined();
    const t0 = performance.now();
    const closed = closeOf(ws, t0);
    await reload(
      s,
      wsBundle(3, (b) => {
        delete b.routes[0]!.websocket;
      }),
    );
    const c = await closed;
    expect(c?.code).toBe(1008);
    expect(c!.after).toBeLessThan(1000);
  });
});

describe('open WebSockets closed at credential expiry', () => {
  it('a JWT connection closes (1008) when its exp passes, within 1 s', async () => {
    const s = await sidecar();
    const key = await importJWK(demoPrivateJwk, 'ES256');
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await new SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
      .setIssuer(demoCredentials.jwt.issuer)
      .setAudience(demoCredentials.jwt.audience)
      .setSubject('short-lived')
      .setExpirationTime(exp)
      .sign(key);
    const ws = await connect(s, { token });
    expect(await echo(ws, 'hi')).toBe('hi');
    const c = await closeOf(ws, performance.now(), 5000);
    expect(c?.code).toBe(1008);
    const late = Date.now() - exp * 1000;
    expect(late).toBeGreaterThanOrEqual(-50);
    expect(late).toBeLessThan(1000);
  });
});
