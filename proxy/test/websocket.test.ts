/** WebSocket through the assembled sidecar (the pipeline's details are in src/websocket/*.test.ts). */
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { demoBundle, demoCredentials, demoPrivateJwk, startTestSidecar, type TestSidecar } from './helpers.js';

let backend: WebSocketServer;
let sidecar: TestSidecar;
let backendSaw: { url: string; protocol: string | undefined; subject: string | undefined }[] = [];

beforeAll(async () => {
  backend = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (set) => (set.has('chat.v1') ? 'chat.v1' : false) });
  backend.on('connection', (ws, req) => {
    backendSaw.push({ url: req.url ?? '', protocol: req.headers['sec-websocket-protocol'], subject: req.headers['x-auth-subject'] as string | undefined });
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  await new Promise((r) => backend.once('listening', r));
  const b = demoBundle();
  (b.routes as unknown[]).unshift({
    id: 'agents-ws',
    match: { methods: ['GET'], path: '/api/v1/agents/{id}/live', kind: 'template' },
    permissions: ['agents:read'],
    websocket: { tokenIn: ['protocol', 'query'], allowedOrigins: ['http://localhost:5173'], maxMessageBytes: 1024 },
  });
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, b);
});
afterAll(async () => {
  await sidecar?.close();
  await new Promise((r) => backend.close(r));
});

const wsUrl = (path: string): string => sidecar.url.replace('http:', 'ws:') + path;

function open(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}
const echo = (ws: WebSocket, text: string): Promise<string> =>
  new Promise((resolve) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.send(text);
  });

describe('WebSocket through the sidecar', () => {
  it('refuses an upgrade without credentials with 401 before contacting the backend', async () => {
    backendSaw = [];
    await expect(open(new WebSocket(wsUrl('/api/v1/agents/a1/live')))).rejects.toThrow('HTTP 401');
    expect(backendSaw).toHaveLength(0);
  });

  it('refuses a foreign Origin with 403', async () => {
    await expect(open(new WebSocket(wsUrl('/api/v1/agents/a1/live'), { headers: { 'x-api-key': demoCredentials.apiKeys.viewer, origin: 'https://evil.example' } }))).rejects.toThrow('HTTP 403');
  });

  it('relays with an API key header, the identity headers set by the sidecar', async () => {
    backendSaw = [];
    const ws = new WebSocket(wsUrl('/api/v1/agents/a1/live'), { headers: { 'x-api-key': demoCredentials.apiKeys.viewer, 'x-auth-subject': 'root' } });
    await open(ws);
    expect(await echo(ws, 'hello')).toBe('hello');
    expect(backendSaw[0]).toMatchObject({ url: '/api/v1/agents/a1/live', subject: 'svc-dashboard' });
    ws.close(4000, 'bye');
    await new Promise((r) => ws.once('close', r));
  });

  it('takes a browser token from the subprotocol and never forwards or logs it', async () => {
    backendSaw = [];
    const key = await importJWK(demoPrivateJwk, 'ES256');
    const token = await new SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
      .setIssuer(demoCredentials.jwt.issuer)
      .setAudience(demoCredentials.jwt.audience)
      .setSubject('browser-user')
      .setExpirationTime('10m')
      .sign(key);
    const ws = new WebSocket(wsUrl('/api/v1/agents/a1/live'), ['chat.v1', `bearer.${token}`], { origin: 'http://localhost:5173' });
    await open(ws);
    expect(ws.protocol).toBe('chat.v1');
    expect(await echo(ws, 'hi')).toBe('hi');
    expect(backendSaw[0]!.protocol).toBe('chat.v1');
    expect(backendSaw[0]!.subject).toBe('browser-user');
    ws.close();
    await new Promise((r) => ws.once('close', r));
    await new Promise((r) => setTimeout(r, 120)); // access lines are written in batches (≤ 50 ms)
    expect(sidecar.logText()).not.toContain(token);
    const line = sidecar.accessLines().find((l) => l.route === 'agents-ws' && l.principal === 'browser-user');
    expect(line).toMatchObject({ status: 101, decision: 'allow' });
  });

  it('closes with 1009 on an oversized message', async () => {
    const ws = new WebSocket(wsUrl('/api/v1/agents/a1/live'), { headers: { 'x-api-key': demoCredentials.apiKeys.viewer } });
    await open(ws);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(4096));
    expect(await closed).toBe(1009);
  });
});
