/**
 * The WebSocket upgrade path: a handshake runs through the same stages as any request (`pipeline/stages.ts`),
 * then the WebSocket checks (route enabled, handshake, Origin, connection caps); only then is the backend
 * contacted, and the client's handshake completes only once the backend accepted. Every refusal is the proxy's
 * usual HTTP error with its JSON body, after which the socket is closed. One access-log line per connection,
 * written when it ends (status 101, bytes both ways, duration).
 *
 *   non-websocket Upgrade 400 · stages 4xx/5xx · route without websocket 400 WS_NOT_ENABLED ·
 *   bad handshake 400 WS_BAD_HANDSHAKE · foreign Origin 403 WS_ORIGIN_REJECTED ·
 *   per-client cap 429 WS_TOO_MANY_CONNECTIONS · process cap / shutting down 503 ·
 *   backend refused or unreachable 502 · backend handshake timeout 504 · client left first 499
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { withWs, ws, type WebSocket, type WebSocketServer } from './ws-module.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { unforwardableHeader } from '../forward/forwardable-headers.js';
import { unforwardable } from '../forward/upstream-failure.js';
import { upstreamRequestHeaders } from '../forward/upstream-headers.js';
import { whenSettled, type Pipeline } from '../pipeline/pipeline.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { requestIdFrom } from '../accept/request-identity.js';
import { deny, type Respond } from '../pipeline/stage.js';
import { takeHandshakeCredential } from './handshake-credential.js';
import { handshakeHeaders, validHandshake } from './handshake.js';
import { upstreamHandshakeFailure } from './upgrade-failure.js';
import { BEARER_MARKER_PROTOCOL, isBearerMarker, takeProtocolToken } from './websocket-credentials.js';
import { webSocketOriginAllowed, webSocketPolicyOf, type CompiledWebSocketPolicy } from './websocket-policy.js';
import { OpenConnections, type Recheck } from './open-connections.js';
import { WebSocketRelay } from './websocket-relay.js';
import { principalKey } from '../authenticate/principal.js';

/** Settings of the upgrade handler. */
export interface UpgradeHandlerOptions {
  runtime(): PolicyRuntime;
  /** connections held by this process at most (being opened or relayed); default unlimited */
  maxConnectionsTotal?: number;
  /** how long `close()` waits for closing handshakes before cutting the sockets (default 5 s) */
  shutdownTimeoutMs?: number;
  log: Logger;
}

/** The server's `upgrade` listener and its connections. */
export interface UpgradeHandler {
  /** the server's `upgrade` listener */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** connections held now: backend handshakes in progress plus relayed pairs */
  readonly connections: number;
  /** refuses new upgrades (503) and closes every relayed connection with 1001 going away */
  close(): Promise<void>;
  /** re-checks every relayed connection under the bundle in force; closes (1008) those no longer allowed */
  recheck(): Promise<void>;
}

const HTTP_SCHEME = /^http/;

function destroyOnError(this: Socket): void {
  this.destroy();
}

function closeAfterAnswer(this: ServerResponse): void {
  (this.socket as Socket | null)?.destroySoon();
}

function ignore(): void {
  /* errors after the outcome was decided change nothing */
}

/** One connection being opened: the client socket, its handshake head, and the per-client slot it holds. */
interface Opening {
  ctx: RequestContext;
  wp: CompiledWebSocketPolicy;
  key: string;
  socket: Socket;
  head: Buffer;
}

class WebSocketUpgrades implements UpgradeHandler {
  private readonly maxTotal: number;
  private readonly shutdownTimeoutMs: number;
  private readonly relays: OpenConnections;
  private readonly pending = new Set<WebSocket>();
  private readonly perClient = new Map<string, number>();
  private closing = false;
  private idle: (() => void) | undefined;
  // The subprotocol chosen by the backend, handed to the client handshake (never the token entry).
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly handleProtocols = (_offered: Set<string>, req: IncomingMessage): string | false => this.chosen.get(req) || false;
  // `maxPayload` is a server option in `ws`: one noServer instance per distinct route limit.
  private readonly servers = new Map<number, WebSocketServer>();

  constructor(
    private readonly pipeline: Pipeline,
    private readonly o: UpgradeHandlerOptions,
  ) {
    this.maxTotal = o.maxConnectionsTotal ?? Number.POSITIVE_INFINITY;
    this.relays = new OpenConnections((ctx) => this.recheckOne(ctx), o.log);
    this.shutdownTimeoutMs = o.shutdownTimeoutMs ?? 5000;
  }

  readonly onUpgrade = (req: IncomingMessage, duplex: Duplex, head: Buffer): void => {
    const socket = duplex as Socket;
    // Node removed its own listeners when it handed the socket over; a reset must not crash the process.
    socket.on('error', destroyOnError);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', closeAfterAnswer);
    const ctx = this.pipeline.newContext(req, res);
    ctx.upgrade = true;
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      ctx.requestId = requestIdFrom(req.headers['x-request-id']);
      ctx.path = (req.url ?? '').slice(0, 256);
      this.pipeline.respond(ctx, deny('UPGRADE_NOT_SUPPORTED', 'only Upgrade: websocket is supported'));
      return;
    }
    takeHandshakeCredential(ctx);
    // the first handshake of the process loads `ws` (ws-module.ts); a broken install answers 500, not a crash
    withWs(
      () => whenSettled(this.pipeline.runStages(ctx), (r) => (r ? this.pipeline.respond(ctx, r) : this.admit(ctx, socket, head))),
      (err) => this.withoutWs(ctx, err),
    );
  };

  private withoutWs(ctx: RequestContext, err: unknown): void {
    this.o.log.error({ err }, 'could not load the ws library');
    this.pipeline.respond(ctx, deny('INTERNAL_ERROR', 'the gateway could not load its WebSocket library'));
  }

  recheck(): Promise<void> {
    return this.relays.recheckAll();
  }

  private async recheckOne(admitted: RequestContext): Promise<Recheck> {
    const r = await this.pipeline.recheck(admitted);
    if (r.refused || webSocketPolicyOf(r.ctx.route!)) return r;
    return { ...r, refused: deny('WS_NOT_ENABLED', `route ${r.ctx.route!.id} no longer accepts WebSocket connections`) };
  }

  get connections(): number {
    return this.held();
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.held() === 0) return;
    const done = new Promise<void>((r) => (this.idle = r));
    for (const r of this.relays.relays()) r.shutdown();
    for (const u of this.pending) u.terminate();
    const timer = setTimeout(() => {
      this.o.log.warn({ connections: this.held() }, 'WebSocket connections did not close in time; cutting them');
      for (const r of this.relays.relays()) r.terminate();
    }, this.shutdownTimeoutMs);
    timer.unref();
    await done;
    clearTimeout(timer);
  }

  private held(): number {
    return this.relays.size + this.pending.size;
  }

  private release(key: string): void {
    const n = (this.perClient.get(key) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(key);
    else this.perClient.set(key, n);
    if (this.held() === 0) this.idle?.();
  }

  private serverFor(maxPayload: number): WebSocketServer {
    let s = this.servers.get(maxPayload);
    if (!s) {
      s = new (ws().WebSocketServer)({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, handleProtocols: this.handleProtocols });
      this.servers.set(maxPayload, s);
    }
    return s;
  }

  /** The WebSocket checks after the stages let the handshake through; a refusal, or the per-client key. */
  private refusal(ctx: RequestContext, wp: CompiledWebSocketPolicy | undefined, key: string): Respond | undefined {
    if (!wp) return deny('WS_NOT_ENABLED', `route ${ctx.route!.id} does not accept WebSocket upgrades`);
    if (!validHandshake(ctx.req)) {
      return deny('WS_BAD_HANDSHAKE', 'invalid WebSocket handshake: send GET with Sec-WebSocket-Key and Sec-WebSocket-Version: 13 (RFC 6455 §4.1)');
    }
    if (!webSocketOriginAllowed(wp, ctx.req.headers.origin)) return deny('WS_ORIGIN_REJECTED', 'this Origin may not open WebSocket connections to this route');
    if (this.closing || this.held() >= this.maxTotal) {
      const reason = this.closing ? 'WS_SHUTTING_DOWN' : 'WS_TOO_MANY_CONNECTIONS_TOTAL';
      return deny(reason, 'the gateway holds as many WebSocket connections as it may; retry later', undefined, ['retry-after', '5']);
    }
    if ((this.perClient.get(key) ?? 0) >= wp.maxConnectionsPerClient) {
      const max = wp.maxConnectionsPerClient;
      return deny('WS_TOO_MANY_CONNECTIONS', `at most ${max} WebSocket connections per client on this route; close one first`, { max_connections: max });
    }
    return undefined;
  }

  private admit(ctx: RequestContext, socket: Socket, head: Buffer): void {
    const wp = webSocketPolicyOf(ctx.route!);
    const key = ctx.principal ? `p:${principalKey(ctx.principal)}` : `a:${ctx.clientAddress}`;
    const bad = unforwardableHeader(upstreamRequestHeaders(ctx)); // 400 rather than a throw from the handshake
    const refused = bad ? unforwardable(bad.header, bad.problem) : this.refusal(ctx, wp, key);
    if (refused) {
      this.pipeline.respond(ctx, refused);
      return;
    }
    this.perClient.set(key, (this.perClient.get(key) ?? 0) + 1);
    const ended = (status: number): void => void [this.pipeline.record(ctx, status), this.release(key)];
    if (ctx.serveLocally) ctx.serveLocally.upgrade(ctx, socket, head, wp!.maxMessageBytes, ended); // an event route: no backend
    else this.connect({ ctx, wp: wp!, key, socket, head });
  }

  /** Opens the backend handshake; the client's completes only once the backend accepted. */
  private connect(c: Opening): void {
    const { ctx, wp, socket } = c;
    const up = ctx.route!.upstream;
    const offered = ctx.req.headers['sec-websocket-protocol'];
    const protocols = offered === undefined ? [] : takeProtocolToken(offered).protocols.filter((p) => !isBearerMarker(p));
    const target = `${up.origin.replace(HTTP_SCHEME, 'ws')}${ctx.path}${ctx.query === '' ? '' : `?${ctx.query}`}`;
    ctx.upstreamStart = performance.now();
    const upstream = new (ws().WebSocket)(target, protocols, {
      headers: handshakeHeaders(ctx),
      maxPayload: wp.maxMessageBytes,
      perMessageDeflate: false,
      followRedirects: false,
      handshakeTimeout: up.timeouts.perTryMs,
    });
    this.pending.add(upstream);
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.pending.delete(upstream);
      socket.removeListener('close', clientGone);
      upstream.removeListener('error', failed);
      ctx.upstreamEnd = performance.now();
      return true;
    };
    const clientGone = (): void => {
      if (!settle()) return;
      upstream.on('error', ignore);
      upstream.terminate();
      ctx.upstreamError = 'client-aborted';
      this.pipeline.record(ctx, 499);
      this.release(c.key);
    };
    const failed = (err: Error): void => {
      if (!settle()) return;
      const f = upstreamHandshakeFailure(err);
      ctx.upstreamError = f.kind;
      this.pipeline.respond(ctx, f);
      this.release(c.key);
    };
    socket.once('close', clientGone);
    upstream.once('error', failed);
    upstream.once('open', () => {
      if (settle()) this.relay(c, upstream);
    });
  }

  /** The backend accepted: complete the client's handshake and relay both ways until either side ends. */
  private relay(c: Opening, upstream: WebSocket): void {
    const { ctx, wp } = c;
    ctx.res.detachSocket(c.socket);
    const offered = ctx.req.headers['sec-websocket-protocol'];
    const marker = offered !== undefined && takeProtocolToken(offered).protocols.some(isBearerMarker);
    this.chosen.set(ctx.req, upstream.protocol !== '' ? upstream.protocol : marker ? BEARER_MARKER_PROTOCOL : '');
    let relay: WebSocketRelay | undefined;
    this.serverFor(wp.maxMessageBytes).handleUpgrade(ctx.req, c.socket, c.head, (client) => {
      relay = new WebSocketRelay(client, upstream, {
        idleTimeoutMs: wp.idleTimeoutMs,
        onEnd: (e) => {
          this.relays.delete(relay!);
          ctx.bytesIn = e.bytesIn;
          ctx.bytesOut = e.bytesOut;
          this.pipeline.record(ctx, 101);
          this.release(c.key);
        },
      });
      this.relays.add(relay, ctx);
    });
    if (!relay) {
      // `ws` refused to complete (the client socket died meanwhile): nothing to relay.
      upstream.on('error', ignore);
      upstream.terminate();
      ctx.upstreamError = 'client-aborted';
      this.pipeline.record(ctx, 499);
      this.release(c.key);
    }
  }
}

/** Builds the upgrade handler over the pipeline's parts. */
export function createUpgradeHandler(pipeline: Pipeline, o: UpgradeHandlerOptions): UpgradeHandler {
  return new WebSocketUpgrades(pipeline, o);
}
