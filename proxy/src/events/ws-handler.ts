/**
 * Serves the event protocol on one accepted WebSocket (`ws` 8): subscribe / unsubscribe / ping messages,
 * resumption from a last id, pings with dead-peer close, and the slow-consumer bound (docs/events.md § WebSocket).
 * Authentication happened before the upgrade; the principal comes in.
 */
import type { WebSocket, RawData } from 'ws';
import { BoundedWriter } from './bounded-writer.js';
import { expiredMessage, watchCredentialExpiry } from './credential-expiry.js';
import type { SubscriberPrincipal } from './credential-expiry.js';
import type { BusEvent } from './event-bus.js';
import type { EventsMetrics } from './events-metrics.js';
import type { HubConnection, HubNotice, Subscription, SubscriptionHub } from './subscription-hub.js';
import { ClientMessage, CloseCode, controlMessage, errorMessage, eventMessage } from './ws-protocol.js';

/** What the WebSocket handler needs besides the socket and the principal. */
export interface WsEventsOptions {
  hub: SubscriptionHub;
  /** frames in flight before the connection is closed as a slow consumer */
  queueLimit: number;
  maxSubscriptionsPerConnection: number;
  /** ping interval; a peer that has not answered the previous ping by the next one is terminated */
  heartbeatMs: number;
  /** the upgrade request's id, echoed in error bodies */
  requestId: string;
  metrics?: EventsMetrics;
  now?: () => number;
}

/** Runs the protocol until the socket closes. */
export function serveEventsWebSocket(ws: WebSocket, principal: SubscriberPrincipal, options: WsEventsOptions): void {
  new WsEventsConnection(ws, principal, options);
}

/** Unsent bytes above which the socket counts as pushing back (the default high-water mark of a stream). */
const BACKPRESSURE_BYTES = 16 * 1024;

class WsEventsConnection implements HubConnection {
  private readonly subs = new Map<string, Subscription>();
  private readonly writer: BoundedWriter;
  private alive = true;
  private readonly timer: NodeJS.Timeout;
  private readonly stopExpiry: () => void;
  private readonly now: () => number;

  constructor(
    private readonly ws: WebSocket,
    readonly principal: SubscriberPrincipal,
    private readonly o: WsEventsOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.writer = new BoundedWriter(o.queueLimit, (chunk, done) => ws.send(chunk, done), () => ws.bufferedAmount > BACKPRESSURE_BYTES, () => this.slowConsumer());
    o.metrics?.connections.inc({ transport: 'websocket' });
    ws.on('pong', () => (this.alive = true));
    ws.on('message', (data, isBinary) => void this.onMessage(data, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => undefined); // 'close' follows
    this.timer = setInterval(() => this.heartbeat(), o.heartbeatMs);
    this.timer.unref();
    this.stopExpiry = watchCredentialExpiry(principal, this.now(), () => this.expired());
  }

  deliver(sub: Subscription, event: BusEvent): void {
    if (this.writer.send(eventMessage(sub.id, event))) this.o.metrics?.wsOut.inc();
  }

  notice(sub: Subscription, n: HubNotice): void {
    if (n.kind === 'gap') {
      const message = `events after ${n.afterId} are no longer in the history of ${n.topics.join(', ')}; what is left follows`;
      this.writer.send(controlMessage('gap', { id: sub.id, topics: n.topics, lastEventId: n.afterId, message }));
      return;
    }
    if (n.kind === 'revoked') {
      this.writer.send(errorMessage('FORBIDDEN', n.message, { topic: n.topic, reason: 'PERMISSION_REVOKED' }, this.o.requestId, this.now(), sub.id));
      this.writer.send(controlMessage('unsubscribed', { id: sub.id, topics: [n.topic], ended: n.ended, reason: 'PERMISSION_REVOKED' }));
    } else {
      this.writer.send(errorMessage('SERVICE_UNAVAILABLE', n.message, {}, this.o.requestId, this.now(), sub.id));
    }
    if (sub.closed) this.subs.delete(sub.id);
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    const fail = (message: string, details: Record<string, unknown> = {}, id?: string): void => {
      this.writer.send(errorMessage('INVALID_REQUEST', message, details, this.o.requestId, this.now(), id));
    };
    if (isBinary) return fail('messages are JSON text frames');
    let json: unknown;
    try {
      json = JSON.parse(String(data));
    } catch {
      return fail('the message is not JSON');
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      return fail('the message is not a valid subscribe, unsubscribe or ping', { issues });
    }
    const msg = parsed.data;
    if (msg.type === 'ping') this.writer.send(controlMessage('pong', {}));
    else if (msg.type === 'unsubscribe') {
      const sub = this.subs.get(msg.id);
      if (sub === undefined) return fail(`no subscription "${msg.id}"`, {}, msg.id);
      this.o.hub.unsubscribe(sub);
      this.subs.delete(msg.id);
      this.writer.send(controlMessage('unsubscribed', { id: msg.id, topics: sub.filters.map((f) => f.source), ended: true, reason: 'CLIENT' }));
    } else await this.subscribe(msg.id ?? msg.topics.join(','), msg.topics, msg.lastEventId);
  }

  private async subscribe(id: string, topics: string[], lastEventId: string | undefined): Promise<void> {
    if (this.subs.has(id)) {
      this.writer.send(errorMessage('CONFLICT', `subscription "${id}" exists; unsubscribe first`, {}, this.o.requestId, this.now(), id));
      return;
    }
    if (this.subs.size >= this.o.maxSubscriptionsPerConnection) {
      this.writer.send(errorMessage('RATE_LIMITED', `at most ${this.o.maxSubscriptionsPerConnection} subscriptions per connection`, {}, this.o.requestId, this.now(), id));
      return;
    }
    let outcome;
    try {
      outcome = await this.o.hub.subscribe(this, id, topics, lastEventId);
    } catch (err) {
      this.writer.send(errorMessage('INVALID_REQUEST', (err as Error).message, { field: 'lastEventId' }, this.o.requestId, this.now(), id));
      return;
    }
    for (const r of outcome.refused) {
      const code = r.reason === 'INVALID_TOPIC' ? 'INVALID_REQUEST' : 'FORBIDDEN';
      this.writer.send(errorMessage(code, r.message, { topic: r.topic, reason: r.reason }, this.o.requestId, this.now(), id));
    }
    const sub = outcome.subscription;
    if (sub === undefined) return;
    if (this.ws.readyState !== this.ws.OPEN) {
      this.o.hub.unsubscribe(sub);
      return;
    }
    this.subs.set(id, sub);
    // `subscribed` follows the resumed events: everything before it was history, everything after is live.
    this.writer.send(controlMessage('subscribed', { id, topics: sub.filters.map((f) => f.source), resumed: lastEventId !== undefined, lastEventId: sub.lastId }));
  }

  private heartbeat(): void {
    if (!this.alive) {
      this.o.metrics?.drops.inc({ reason: 'dead_peer' });
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
  }

  private expired(): void {
    const message = expiredMessage(this.principal.expiresAt as number);
    this.writer.send(errorMessage('UNAUTHENTICATED', message, { reason: 'TOKEN_EXPIRED' }, this.o.requestId, this.now()));
    this.closeAll();
    this.ws.close(CloseCode.CREDENTIAL_EXPIRED, 'credential expired');
  }

  private slowConsumer(): void {
    this.o.metrics?.drops.inc({ reason: 'slow_consumer' });
    this.closeAll();
    // ws queues the close frame behind the unsent data; terminate if it cannot be flushed soon.
    this.ws.close(CloseCode.SLOW_CONSUMER, 'queue limit reached; reconnect and resume from your last event id');
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private closeAll(): void {
    for (const sub of this.subs.values()) this.o.hub.unsubscribe(sub);
    this.subs.clear();
  }

  private onClose(): void {
    clearInterval(this.timer);
    this.stopExpiry();
    this.closeAll();
    this.o.metrics?.connections.dec({ transport: 'websocket' });
  }
}
