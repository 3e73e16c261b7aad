/**
 * The WebSocket upgrade path: a handshake runs through the same stages as any request
 * (accept → route → cors → authenticate → authorize → rate-limit → validate), then the WebSocket
 * checks (route enabled, handshake, Origin, connection caps); only then is the backend contacted,
 * and the client's handshake completes only once the backend accepted. Every refusal is the proxy's
 * usual HTTP error with its JSON body, after which the socket is closed. One access-log line per
 * connection, written when it ends (status 101, bytes both ways, duration).
 *
 *   non-websocket Upgrade 400 · stages 4xx/5xx · route without websocket 400 WS_NOT_ENABLED ·
 *   bad handshake 400 WS_BAD_HANDSHAKE · foreign Origin 403 WS_ORIGIN_REJECTED ·
 *   per-client cap 429 WS_TOO_MANY_CONNECTIONS · process cap / shutting down 503 ·
 *   backend refused or unreachable 502 · backend handshake timeout 504 · client left first 499
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { normalizeRequestTarget } from '@agentcore/policies';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import { upstreamRequestHeaders } from '../forward/forward.js';
import type { Respond } from '../pipeline/stage.js';
import { deny } from '../pipeline/stage.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { requestIdFrom } from '../accept/request-identity.js';
import { takeProtocolToken, takeQueryToken } from './websocket-credentials.js';
import { webSocketOriginAllowed, webSocketPolicyOf, type CompiledWebSocketPolicy } from './websocket-policy.js';
import { WebSocketRelay } from './websocket-relay.js';

export interface UpgradeHandlerOptions {
  runtime(): PolicyRuntime;
  /** connections held by this process at most (being opened or relayed); default unlimited */
  maxConnectionsTotal?: number;
  /** how long `close()` waits for closing handshakes before cutting the sockets (default 5 s) */
  shutdownTimeoutMs?: number;
  log: Logger;
}

export interface UpgradeHandler {
  /** the server's `upgrade` listener */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** connections held now: backend handshakes in progress plus relayed pairs */
  readonly connections: number;
  /** refuses new upgrades (503) and closes every relayed connection with 1001 going away */
  close(): Promise<void>;
}

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;
const HTTP_SCHEME = /^http/;
const UNEXPECTED_RESPONSE = 'Unexpected server response: ';

/** Headers `ws` sets itself on the backend handshake, or that must not cross (credentials in the protocol list). */
function skippedUpstreamHeader(lower: string): boolean {
  return lower.startsWith('sec-websocket-') || lower === 'content-length';
}

function destroyOnError(this: Socket): void {
  this.destroy();
}

function closeAfterAnswer(this: ServerResponse): void {
  (this.socket as Socket | null)?.destroySoon();
}

function validHandshake(req: IncomingMessage): boolean {
  const h = req.headers;
  const key = h['sec-websocket-key'];
  const version = h['sec-websocket-version'];
  return req.method === 'GET' && key !== undefined && WS_KEY.test(key) && (version === '13' || version === '8');
}

const refused = (r: Respond & { kind: string }): Respond & { kind: string } => r;

/** Maps a failed backend handshake (`ws` client error) to the answer given to the client. */
export function upstreamHandshakeFailure(err: Error & { code?: string }): Respond & { kind: string } {
  if (err.message.startsWith(UNEXPECTED_RESPONSE)) {
    return refused({ kind: `upgrade-refused-${err.message.slice(UNEXPECTED_RESPONSE.length)}`, status: 502, code: 'BAD_GATEWAY', reason: 'WS_UPSTREAM_REFUSED', decision: 'error', message: 'the upstream service refused the WebSocket upgrade' });
  }
  if (err.message === 'Opening handshake has timed out') {
    return refused({ kind: 'timeout', status: 504, code: 'UPSTREAM_TIMEOUT', reason: 'UPSTREAM_TIMEOUT', decision: 'error', message: 'the upstream service did not accept the WebSocket upgrade in time; retry later' });
  }
  const kind = err.code === 'ECONNREFUSED' ? 'connect-refused' : err.code === 'ECONNRESET' ? 'connection-reset' : 'upstream-error';
  return refused({ kind, status: 502, code: 'BAD_GATEWAY', reason: 'UPSTREAM_UNREACHABLE', decision: 'error', message: 'the upstream service could not be reached; retry later' });
}

/** Builds the upgrade handler over the pipeline's parts. */
export function createUpgradeHandler(pipeline: Pipeline, o: UpgradeHandlerOptions): UpgradeHandler {
  const maxTotal = o.maxConnectionsTotal ?? Number.POSITIVE_INFINITY;
  const shutdownTimeoutMs = o.shutdownTimeoutMs ?? 5000;
  const relays = new Set<WebSocketRelay>();
  const pending = new Set<WebSocket>();
  const perClient = new Map<string, number>();
  let closing = false;
  let idle: (() => void) | undefined;

  // The subprotocol chosen by the backend, handed to the client handshake (never the token entry).
  const chosen = new WeakMap<IncomingMessage, string>();
  const handleProtocols = (_offered: Set<string>, req: IncomingMessage): string | false => chosen.get(req) ?? false;
  // `maxPayload` is a server option in `ws`: one noServer instance per distinct route limit.
  const servers = new Map<number, WebSocketServer>();
  const serverFor = (maxPayload: number): WebSocketServer => {
    let s = servers.get(maxPayload);
    if (!s) {
      s = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, handleProtocols });
      servers.set(maxPayload, s);
    }
    return s;
  };

  const held = (): number => relays.size + pending.size;
  const release = (key: string): void => {
    const n = (perClient.get(key) ?? 1) - 1;
    if (n <= 0) perClient.delete(key);
    else perClient.set(key, n);
    if (held() === 0) idle?.();
  };

  /** Takes the credential out of the handshake before any stage or log sees it. */
  const takeCredential = (ctx: RequestContext): void => {
    const req = ctx.req;
    const url = req.url ?? '';
    const offered = req.headers['sec-websocket-protocol'];
    const p = offered === undefined ? undefined : takeProtocolToken(offered);
    if (p && p.token !== undefined) {
      // Every `bearer.` entry is removed from the request itself: not forwarded, not logged, not selectable.
      const raw = req.rawHeaders;
      const kept: string[] = [];
      for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'sec-websocket-protocol') kept.push(raw[i]!, raw[i + 1]!);
      if (p.protocols.length > 0) {
        const v = p.protocols.join(', ');
        kept.push('Sec-WebSocket-Protocol', v);
        req.headers['sec-websocket-protocol'] = v;
      } else delete req.headers['sec-websocket-protocol'];
      raw.length = 0;
      for (const x of kept) raw.push(x);
    }
    const n = normalizeRequestTarget(url);
    const m = n.ok ? ctx.policy.router.match('GET', req.headers.host?.toLowerCase(), n.path) : undefined;
    const wp = m?.found ? webSocketPolicyOf(m.route) : undefined;
    if (!wp) return;
    if (wp.tokenInProtocol && p?.token !== undefined) ctx.extraToken = p.token;
    if (wp.tokenInQuery) {
      const q = url.indexOf('?');
      if (q === -1) return;
      const t = takeQueryToken(url.slice(q + 1), wp.queryParam);
      if (t.token === undefined) return;
      // The accept stage then sees the target without the token: it reaches neither logs nor the backend.
      req.url = t.query === '' ? url.slice(0, q) : `${url.slice(0, q)}?${t.query}`;
      ctx.extraToken ??= t.token;
    }
  };

  const connect = (ctx: RequestContext, wp: CompiledWebSocketPolicy, key: string, socket: Socket, head: Buffer): void => {
    const route = ctx.route!;
    const up = route.upstream;
    const headers: Record<string, string | string[]> = {};
    const list = upstreamRequestHeaders(ctx);
    for (let i = 0; i < list.length; i += 2) {
      const name = list[i]!.toLowerCase();
      if (skippedUpstreamHeader(name)) continue;
      const v = list[i + 1]!;
      const prev = headers[name];
      headers[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const offered = ctx.req.headers['sec-websocket-protocol'];
    const protocols = offered === undefined ? [] : takeProtocolToken(offered).protocols;
    const target = `${up.origin.replace(HTTP_SCHEME, 'ws')}${ctx.path}${ctx.query === '' ? '' : `?${ctx.query}`}`;
    ctx.upstreamStart = performance.now();
    const upstream = new WebSocket(target, protocols, {
      headers,
      maxPayload: wp.maxMessageBytes,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: up.timeouts.perTryMs,
    });
    pending.add(upstream);

    let settled = false;
    const clientGone = (): void => {
      if (settled) return;
      settled = true;
      pending.delete(upstream);
      upstream.removeListener('error', failed);
      upstream.on('error', ignore);
      upstream.terminate();
      ctx.upstreamEnd = performance.now();
      ctx.upstreamError = 'client-aborted';
      pipeline.record(ctx, 499);
      release(key);
    };
    const failed = (err: Error): void => {
      if (settled) return;
      settled = true;
      pending.delete(upstream);
      socket.removeListener('close', clientGone);
      ctx.upstreamEnd = performance.now();
      const f = upstreamHandshakeFailure(err);
      ctx.upstreamError = f.kind;
      pipeline.respond(ctx, f);
      release(key);
    };
    socket.once('close', clientGone);
    upstream.once('error', failed);
    upstream.once('open', () => {
      if (settled) return;
      settled = true;
      pending.delete(upstream);
      socket.removeListener('close', clientGone);
      upstream.removeListener('error', failed);
      ctx.upstreamEnd = performance.now();
      ctx.res.detachSocket(socket);
      chosen.set(ctx.req, upstream.protocol);
      let relay: WebSocketRelay | undefined;
      serverFor(wp.maxMessageBytes).handleUpgrade(ctx.req, socket, head, (client) => {
        relay = new WebSocketRelay(client, upstream, {
          idleTimeoutMs: wp.idleTimeoutMs,
          onEnd: (e) => {
            relays.delete(relay!);
            ctx.bytesIn = e.bytesIn;
            ctx.bytesOut = e.bytesOut;
            pipeline.record(ctx, 101);
            release(key);
          },
        });
        relays.add(relay);
      });
      if (!relay) {
        // `ws` refused to complete (the client socket died meanwhile): nothing to relay.
        upstream.on('error', ignore);
        upstream.terminate();
        ctx.upstreamError = 'client-aborted';
        pipeline.record(ctx, 499);
        release(key);
      }
    });
  };

  const pass = (ctx: RequestContext, socket: Socket, head: Buffer): void => {
    const route = ctx.route!;
    const wp = webSocketPolicyOf(route);
    if (!wp) {
      pipeline.respond(ctx, deny('WS_NOT_ENABLED', `route ${route.id} does not accept WebSocket upgrades`));
      return;
    }
    if (!validHandshake(ctx.req)) {
      pipeline.respond(ctx, deny('WS_BAD_HANDSHAKE', 'invalid WebSocket handshake: send GET with Sec-WebSocket-Key and Sec-WebSocket-Version: 13 (RFC 6455 §4.1)'));
      return;
    }
    if (!webSocketOriginAllowed(wp, ctx.req.headers.origin)) {
      pipeline.respond(ctx, deny('WS_ORIGIN_REJECTED', 'this Origin may not open WebSocket connections to this route'));
      return;
    }
    if (closing || held() >= maxTotal) {
      pipeline.respond(ctx, deny(closing ? 'WS_SHUTTING_DOWN' : 'WS_TOO_MANY_CONNECTIONS_TOTAL', 'the gateway holds as many WebSocket connections as it may; retry later', undefined, ['retry-after', '5']));
      return;
    }
    const key = ctx.principal ? `p:${ctx.principal.id}` : `a:${ctx.clientAddress}`;
    const n = perClient.get(key) ?? 0;
    if (n >= wp.maxConnectionsPerClient) {
      pipeline.respond(ctx, deny('WS_TOO_MANY_CONNECTIONS', `at most ${wp.maxConnectionsPerClient} WebSocket connections per client on this route; close one first`, { max_connections: wp.maxConnectionsPerClient }));
      return;
    }
    perClient.set(key, n + 1);
    connect(ctx, wp, key, socket, head);
  };

  return {
    onUpgrade(req: IncomingMessage, duplex: Duplex, head: Buffer): void {
      const socket = duplex as Socket;
      // Node removed its own listeners when it handed the socket over; a reset must not crash the process.
      socket.on('error', destroyOnError);
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket);
      res.once('finish', closeAfterAnswer);
      const ctx = pipeline.newContext(req, res);
      ctx.upgrade = true;
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
        ctx.requestId = requestIdFrom(req.headers['x-request-id']);
        ctx.path = (req.url ?? '').slice(0, 256);
        pipeline.respond(ctx, deny('UPGRADE_NOT_SUPPORTED', 'only Upgrade: websocket is supported'));
        return;
      }
      takeCredential(ctx);
      pipeline.runStages(ctx, (c) => pass(c, socket, head));
    },
    get connections() {
      return held();
    },
    async close(): Promise<void> {
      closing = true;
      if (held() === 0) return;
      const done = new Promise<void>((r) => (idle = r));
      for (const r of relays) r.shutdown();
      for (const u of pending) u.terminate();
      const timer = setTimeout(() => {
        o.log.warn({ connections: held() }, 'WebSocket connections did not close in time; cutting them');
        for (const r of relays) r.terminate();
      }, shutdownTimeoutMs);
      timer.unref();
      await done;
      clearTimeout(timer);
    },
  };
}

function ignore(): void {
  /* errors after the outcome was decided change nothing */
}
