/**
 * events: on a route with `events` the sidecar serves the stream itself instead of forwarding (docs/events.md).
 * Runs after rate-limit, so routing, CORS, authentication, the route's own permissions and rate limits have
 * decided already; the principal comes from the authenticate stage. `GET` → SSE; a WebSocket upgrade (after the
 * upgrade path's own checks: enabled, handshake, Origin, caps) → the event protocol; no upstream is contacted.
 *
 *   405 not GET / upgrade (+ Allow: GET) · 503 the route's bus is not ready (+ Retry-After: 1)
 *   SSE before the stream opens: 400 no / bad topic, bad Last-Event-ID · 403 no topic allowed
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocketServer } from 'ws';
import { ws } from '../websocket/ws-module.js';
import type { LocalAnswer, RequestContext } from '../pipeline/request-context.js';
import { deny, type Stage, type StageResult } from '../pipeline/stage.js';
import type { SubscriberPrincipal } from './credential-expiry.js';
import type { SidecarEvents } from './sidecar-events.js';
import { serveEventsSse } from './sse-handler.js';
import { serveEventsWebSocket } from './ws-handler.js';
import { CloseCode } from './ws-protocol.js';

/** The subprotocol a client may ask for; the `bearer.` credential entry is never echoed. */
const PROTOCOL = 'agentcore.v1';
const ANONYMOUS: SubscriberPrincipal = { id: 'anonymous', roles: [] };

function principalOf(ctx: RequestContext): SubscriberPrincipal {
  return ctx.principal ?? ANONYMOUS;
}

function chooseProtocol(offered: Set<string>): string | false {
  return offered.has(PROTOCOL) ? PROTOCOL : false;
}

/** Serves event streams for the routes of `events` (the `LocalAnswer` the stage hands to the pipeline). */
class EventStreams implements LocalAnswer {
  // `maxPayload` is a server option in `ws`: one noServer instance per distinct limit.
  private readonly servers = new Map<number, WebSocketServer>();

  constructor(private readonly events: SidecarEvents) {}

  http(ctx: RequestContext): Promise<number> {
    const er = this.events.route(ctx.route!.id);
    const { res } = ctx;
    if (!er) return Promise.resolve(503); // closed between the stage and now
    const p = er.policy;
    const close = (): void => void res.destroy();
    er.closers.add(close);
    const done = new Promise<number>((resolve) =>
      res.once('close', () => {
        er.closers.delete(close);
        resolve(res.statusCode);
      }),
    );
    const o = { hub: er.hub, requestId: ctx.requestId, metrics: this.events.metrics, queueLimit: p.queueLimit, maxTopics: p.maxSubscriptionsPerConnection, heartbeatMs: p.heartbeatMs, retryMs: p.retryMs };
    void serveEventsSse(ctx.req, res, principalOf(ctx), o).then(() => {
      if (res.statusCode >= 400) {
        ctx.decision = 'deny';
        ctx.reason = res.statusCode === 403 ? 'EVENTS_TOPIC_REFUSED' : 'EVENTS_BAD_SUBSCRIPTION';
      }
    });
    return done;
  }

  upgrade(ctx: RequestContext, socket: Socket, head: Buffer, maxPayload: number, ended: (status: number) => void): void {
    const er = this.events.route(ctx.route!.id);
    ctx.res.detachSocket(socket);
    if (!er) {
      socket.destroy();
      ended(503);
      return;
    }
    let served = false;
    this.serverFor(maxPayload).handleUpgrade(ctx.req, socket, head, (ws) => {
      served = true;
      const close = (): void => ws.close(CloseCode.GOING_AWAY, 'event route closed');
      er.closers.add(close);
      ws.once('close', () => {
        er.closers.delete(close);
        ended(101);
      });
      const p = er.policy;
      const o = { hub: er.hub, requestId: ctx.requestId, metrics: this.events.metrics, queueLimit: p.queueLimit, maxSubscriptionsPerConnection: p.maxSubscriptionsPerConnection, heartbeatMs: p.heartbeatMs };
      serveEventsWebSocket(ws, principalOf(ctx), o);
    });
    if (!served && socket.destroyed) ended(499); // `ws` refused to complete: the client socket died meanwhile
  }

  private serverFor(maxPayload: number): WebSocketServer {
    let s = this.servers.get(maxPayload);
    if (!s) {
      s = new (ws().WebSocketServer)({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false, handleProtocols: chooseProtocol });
      this.servers.set(maxPayload, s);
    }
    return s;
  }
}

/** Whether an HTTP request asks for a stream (any GET on an event route is one: EventSource sends Accept itself). */
function isStreamRequest(req: IncomingMessage): boolean {
  return req.method === 'GET';
}

/** The events stage. */
export function eventsStage(events: SidecarEvents | undefined): Stage {
  const streams = events ? new EventStreams(events) : undefined;
  return {
    name: 'events',
    run(ctx: RequestContext): StageResult {
      const route = ctx.route!;
      if (!route.route.events) return undefined;
      if (!ctx.upgrade && !isStreamRequest(ctx.req)) {
        return deny('EVENTS_METHOD', `route ${route.id} is an event stream: GET it (SSE) or open a WebSocket; backends publish on the sidecar's admin port`, {}, ['allow', 'GET']);
      }
      if (!streams || !events?.route(route.id)) return deny('EVENTS_UNAVAILABLE', `the event bus of route ${route.id} is not ready; retry`, {}, ['retry-after', '1']);
      ctx.reason = 'EVENTS_STREAM';
      ctx.serveLocally = streams;
      return undefined;
    },
  };
}
