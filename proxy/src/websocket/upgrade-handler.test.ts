import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { validateBundle, type PolicyBundleInput } from '@agentcore/policies';
import { importJWK, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { demoBundle, demoCredentials, demoPrivateJwk, rawRequest } from '../../test/helpers.js';
import { ProxyMetrics } from '../record/metrics.js';
import { ResponseCache } from '../cache/response-cache.js';
import { requestStages } from '../pipeline/stages.js';
import { createRecorder } from '../record/recorder.js';
import { compileRuntime, type PolicyRuntime } from '../bundle/policy-runtime.js';
import { createPipeline } from '../pipeline/pipeline.js';
import { MemoryRateLimitStore } from '../rate-limit/rate-limiter.js';
import { UpstreamPools } from '../upstream/upstream-pools.js';
import { createUpgradeHandler, type UpgradeHandler } from './upgrade-handler.js';

const listen = (s: Server): Promise<string> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(10);
  }
}

/** A `ws` echo backend that records each handshake and how each connection closed. */
async function startBackend() {
  const seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
  const closes: { code: number; reason: string }[] = [];
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024, handleProtocols: (p) => (p.has('chat.v1') ? 'chat.v1' : false) });
  const server = createServer((_req, res) => res.end('http'));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.includes('refuse')) {
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const text = isBinary ? '' : (data as Buffer).toString();
        if (text.startsWith('close-me')) ws.close(4001, 'server bye');
        else if (text === 'big') ws.send(Buffer.alloc(4096, 1));
        else ws.send(data, { binary: isBinary });
      });
      ws.on('close', (code, reason) => {
        sockets.delete(ws);
        closes.push({ code, reason: reason.toString() });
      });
      ws.on('error', () => undefined);
    });
  });
  const url = await listen(server);
  return {
    url,
    seen,
    closes,
    sockets,
    close: async () => {
      for (const s of sockets) s.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const wsRoute = (id: string, path: string, websocket: Record<string, unknown>) => ({
  id,
  match: { methods: ['GET'], path, kind: 'exact' },
  permissions: ['agents:read'],
  websocket,
});

function wsBundle(): PolicyBundleInput {
  const b = demoBundle() as PolicyBundleInput & { routes: unknown[] };
  b.routes.push(
    wsRoute('ws-events', '/ws/events', { tokenIn: ['protocol', 'query'], maxMessageBytes: 1024, maxConnectionsPerClient: 3 }),
    wsRoute('ws-idle', '/ws/idle', { tokenIn: ['protocol'], idleTimeoutMs: 1000 }),
    wsRoute('ws-header-only', '/ws/header-only', {}),
    wsRoute('ws-refuse', '/ws/refuse', { tokenIn: ['protocol'] }),
    { id: 'ws-public', match: { methods: ['GET'], path: '/ws/public', kind: 'exact' }, auth: { required: false }, websocket: { allowedOrigins: [] } },
  );
  return b;
}

interface WsSidecar {
  url: string;
  wsUrl: string;
  handler: UpgradeHandler;
  logText(): string;
  access(): Record<string, unknown>[];
  close(): Promise<void>;
}

/** The sidecar's pipeline and this upgrade handler on one node:http server, as start-proxy wires them. */
async function startWsSidecar(upstream: string, bundle: PolicyBundleInput): Promise<WsSidecar> {
  const v = validateBundle(bundle);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const pools = new UpstreamPools({ connectTimeoutMs: 2000, connections: 8, keepAliveTimeoutMs: 4000 });
  const runtime: PolicyRuntime = await compileRuntime(v.bundle, { localUpstream: upstream, pools, tls: false, env: {} });
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const pipeline = createPipeline({
    runtime: () => runtime,
    stages: requestStages({ accept: { trustedHops: 0, tls: false, maxUrlLength: 8192 }, limits: new MemoryRateLimitStore(1000), cache: new ResponseCache({ maxBytes: 1 << 20 }) }),
    log,
    record: createRecorder({ accessLog: sink, metrics: new ProxyMetrics(false) }),
  });
  const handler = createUpgradeHandler(pipeline, { runtime: () => runtime, log, shutdownTimeoutMs: 1000 });
  const server = createServer(pipeline.onRequest);
  server.on('upgrade', handler.onUpgrade);
  const url = await listen(server);
  const logLines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    url,
    wsUrl: url.replace('http', 'ws'),
    handler,
    logText: () => text,
    access: () => logLines().filter((l) => l.msg === 'access'),
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      runtime.close();
      await pools.close();
    },
  };
}

async function viewerJwt(sub = 'alice'): Promise<string> {
  const key = await importJWK(demoPrivateJwk, 'ES256');
  return new SignJWT({ roles: ['viewer'] })
    .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
    .setIssuer(demoCredentials.jwt.issuer)
    .setAudience(demoCredentials.jwt.audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(key);
}

/** Opens a client; resolves once open, or rejects with the HTTP status of a refused handshake. */
function open(url: string, protocols: string[] = [], headers: Record<string, string> = {}, opts: { maxPayload?: number } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers, maxPayload: opts.maxPayload });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`status ${res.statusCode}`));
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}
const nextMessage = (ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> =>
  new Promise((r) => ws.once('message', (data: RawData, isBinary: boolean) => r({ data: data as Buffer, isBinary })));
const closed = (ws: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));
const upgradeRequest = (path: string, extra = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

describe('WebSocket upgrade handler', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let sidecar: WsSidecar;
  let token: string;
  const clients: WebSocket[] = [];
  const track = (ws: WebSocket): WebSocket => (clients.push(ws), ws);

  beforeAll(async () => {
    backend = await startBackend();
    sidecar = await startWsSidecar(backend.url, wsBundle());
    token = await viewerJwt();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await until(() => sidecar.handler.connections === 0);
    backend.seen.length = 0;
    backend.closes.length = 0;
  });
  afterAll(async () => {
    await sidecar.close();
    await backend.close();
  });

  it('refuses an upgrade without credentials with 401 and its JSON body; the backend is never contacted', async () => {
    const r = await rawRequest(sidecar.url, upgradeRequest('/ws/events'));
    expect(r.status).toBe(401);
    expect(r.headers.connection).toBe('close');
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(backend.seen).toHaveLength(0);
    expect(sidecar.handler.connections).toBe(0);
  });

  it.each([
    ['foreign Origin', '/ws/events', 'Origin: https://evil.example\r\n', 403, 'WS_ORIGIN_REJECTED'],
    ['any browser Origin when allowedOrigins is []', '/ws/public', 'Origin: http://localhost:5173\r\n', 403, 'WS_ORIGIN_REJECTED'],
    ['route without websocket', '/api/v1/agents', '', 400, 'WS_NOT_ENABLED'],
    ['non-websocket upgrade', '/ws/public', '', 400, 'UPGRADE_NOT_SUPPORTED'],
    ['missing key', '/ws/public', '', 400, 'WS_BAD_HANDSHAKE'],
  ])('%s', async (name, path, extra, status, reason) => {
    let req = upgradeRequest(path, `Authorization: Bearer ${token}\r\n${extra}`);
    if (name === 'non-websocket upgrade') req = req.replace('Upgrade: websocket', 'Upgrade: h2c');
    if (name === 'missing key') req = req.replace(/Sec-WebSocket-Key: .*\r\n/, '');
    const r = await rawRequest(sidecar.url, req);
    expect(r.status).toBe(status);
    expect(backend.seen).toHaveLength(0);
    await until(() => sidecar.access().some((l) => l.reason === reason && l.status === status));
  });

  it('connects with the token in a subprotocol entry: echo both ways, text and binary; token neither forwarded nor logged', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events?x=1`, ['chat.v1', `bearer.${token}`], { Origin: 'http://localhost:5173' }));
    expect(ws.protocol).toBe('chat.v1');
    ws.send('hello');
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from('hello'), isBinary: false });
    ws.send(Buffer.from([0, 1, 2, 255]));
    expect(await nextMessage(ws)).toEqual({ data: Buffer.from([0, 1, 2, 255]), isBinary: true });
    const seen = backend.seen[0]!;
    expect(seen.url).toBe('/ws/events?x=1');
    expect(seen.headers['sec-websocket-protocol']).toBe('chat.v1');
    expect(seen.headers['x-auth-subject']).toBe('alice');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(JSON.stringify(seen.headers)).not.toContain(token);
    ws.close(1000);
    await until(() => sidecar.access().some((l) => l.status === 101));
    const line = sidecar.access().find((l) => l.status === 101)!;
    expect(line).toMatchObject({ route: 'ws-events', principal: 'alice', bytes_in: 9, bytes_out: 9, decision: 'allow' });
    expect(sidecar.logText()).not.toContain(token);
  });

  it('selects no subprotocol when only the token entry was offered (the token is never echoed; browsers need the `bearer` marker, below)', async () => {
    const head = await new Promise<string>((resolve) => {
      const u = new URL(sidecar.url);
      const s = connect(Number(u.port), u.hostname, () => s.write(upgradeRequest('/ws/events', `Sec-WebSocket-Protocol: bearer.${token}\r\n`)));
      s.once('data', (d) => {
        resolve(d.toString('latin1'));
        s.destroy();
      });
    });
    expect(head).toMatch(/^HTTP\/1.1 101 /);
    expect(head.toLowerCase()).not.toContain('sec-websocket-protocol');
    expect(head).not.toContain(token);
  });

  it('a browser offering only the `bearer` marker and `bearer.<token>` succeeds: the marker is echoed, never forwarded (issue #9)', async () => {
    // `ws`, like browsers, fails a handshake that offered subprotocols and got none back.
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['bearer', `bearer.${token}`], { Origin: 'http://localhost:5173' }));
    expect(ws.protocol).toBe('bearer');
    ws.send('m');
    expect((await nextMessage(ws)).data.toString()).toBe('m');
    expect(backend.seen[0]!.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('the backend\'s choice wins over the marker', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', 'bearer', `bearer.${token}`]));
    expect(ws.protocol).toBe('chat.v1');
    expect(backend.seen[0]!.headers['sec-websocket-protocol']).toBe('chat.v1');
  });

  it('connects with the token in the query; the parameter reaches neither the backend nor the log', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events?a=1&access_token=${token}&b=2`));
    ws.send('q');
    expect((await nextMessage(ws)).data.toString()).toBe('q');
    expect(backend.seen[0]!.url).toBe('/ws/events?a=1&b=2');
    expect(ws.protocol).toBe('');
    ws.close();
    await until(() => sidecar.access().some((l) => l.status === 101 && l.query === 'a=1&b=2'));
    expect(sidecar.logText()).not.toContain(token);
  });

  it('does not take the token from the protocol list where the route does not allow it (401), and never forwards the entry', async () => {
    await expect(open(`${sidecar.wsUrl}/ws/header-only`, ['chat.v1', `bearer.${token}`])).rejects.toThrow('status 401');
    const ws = track(await open(`${sidecar.wsUrl}/ws/header-only`, ['chat.v1', `bearer.${token}`], { Authorization: `Bearer ${token}` }));
    expect(ws.protocol).toBe('chat.v1');
    expect(backend.seen[0]!.headers['sec-websocket-protocol']).toBe('chat.v1');
  });

  it('closes an oversized message with 1009 and closes the backend leg with 1009', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    const c = closed(ws);
    ws.send(Buffer.alloc(2048));
    expect((await c).code).toBe(1009);
    await until(() => backend.closes.length === 1);
    expect(backend.closes[0]!.code).toBe(1009);
    await until(() => sidecar.handler.connections === 0);
  });

  it('closes the client with 1009 when the backend sends an oversized message', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`], {}, { maxPayload: 1 << 20 }));
    const c = closed(ws);
    ws.send('big');
    expect((await c).code).toBe(1009);
    await until(() => sidecar.handler.connections === 0);
  });

  it('closes both legs with 1001 after idleTimeoutMs without messages', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/idle`, ['chat.v1', `bearer.${token}`]));
    const started = Date.now();
    ws.send('keep');
    await nextMessage(ws);
    const c = await closed(ws);
    expect(c).toEqual({ code: 1001, reason: 'idle timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    await until(() => backend.closes.length === 1);
    expect(backend.closes[0]!.code).toBe(1001);
  });

  it('caps connections per client with 429 WS_TOO_MANY_CONNECTIONS', async () => {
    for (let i = 0; i < 3; i++) track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    await expect(open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`])).rejects.toThrow('status 429');
    // another principal has its own budget
    track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${await viewerJwt('bob')}`]));
    expect(sidecar.handler.connections).toBe(4);
    clients[0]!.close();
    await until(() => sidecar.handler.connections === 3);
    track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
  });

  it('propagates close codes client → backend and backend → client', async () => {
    const a = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    a.close(4000, 'bye');
    await until(() => backend.closes.length === 1);
    expect(backend.closes[0]).toEqual({ code: 4000, reason: 'bye' });

    const b = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    const c = closed(b);
    b.send('close-me');
    expect(await c).toEqual({ code: 4001, reason: 'server bye' });
    await until(() => sidecar.handler.connections === 0);
  });

  it('closes the backend leg when the client socket is destroyed (no leak)', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    expect(backend.sockets.size).toBe(1);
    ws.terminate();
    await until(() => backend.closes.length === 1);
    expect(backend.closes[0]!.code).toBe(1011);
    await until(() => sidecar.handler.connections === 0 && backend.sockets.size === 0);
  });

  it('closes the client when the backend socket dies', async () => {
    const ws = track(await open(`${sidecar.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]));
    const c = closed(ws);
    for (const s of backend.sockets) s.terminate();
    expect((await c).code).toBe(1011);
    await until(() => sidecar.handler.connections === 0);
  });

  it('answers 502 when the backend refuses the upgrade', async () => {
    await expect(open(`${sidecar.wsUrl}/ws/refuse`, ['chat.v1', `bearer.${token}`])).rejects.toThrow('status 502');
    expect(backend.seen).toHaveLength(1);
    await until(() => sidecar.access().some((l) => l.reason === 'WS_UPSTREAM_REFUSED'));
  });

  it('closes relayed connections with 1001 on shutdown', async () => {
    const side = await startWsSidecar(backend.url, wsBundle());
    const ws = await open(`${side.wsUrl}/ws/events`, ['chat.v1', `bearer.${token}`]);
    const c = closed(ws);
    await side.close();
    expect((await c).code).toBe(1001);
    expect(side.handler.connections).toBe(0);
    await until(() => backend.closes.length === 1);
    expect(backend.closes[0]!.code).toBe(1001);
  });
});

describe('WebSocket upgrade handler, backend down', () => {
  it('answers 502 BAD_GATEWAY over HTTP before the client handshake completes', async () => {
    const dead = createServer();
    const deadUrl = await listen(dead);
    await new Promise<void>((r) => dead.close(() => r()));
    const side = await startWsSidecar(deadUrl, wsBundle());
    try {
      const r = await rawRequest(side.url, upgradeRequest('/ws/events', `Authorization: Bearer ${await viewerJwt()}\r\n`));
      expect(r.status).toBe(502);
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'BAD_GATEWAY' } });
      expect(side.handler.connections).toBe(0);
      await until(() => side.access().some((l) => l.upstream_error === 'connect-refused'));
    } finally {
      await side.close();
    }
  });
});
