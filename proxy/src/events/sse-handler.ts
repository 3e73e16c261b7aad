/**
 * Serves an event stream as Server-Sent Events (WHATWG HTML § 9.2): topics from the query (`?topic=a&topic=b`),
 * resumption from `Last-Event-ID` (or `?lastEventId=`), `retry:`, heartbeat comments and the slow-consumer bound.
 * Authentication happened before; the principal comes in (docs/events.md § SSE).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, statusOfError } from '@agentcore/policies';
import type { PublicErrorCode } from '@agentcore/policies';
import { BoundedWriter } from './bounded-writer.js';
import { expiredMessage, watchCredentialExpiry } from './credential-expiry.js';
import type { SubscriberPrincipal } from './credential-expiry.js';
import { isEventId } from './event-id.js';
import { eventJson } from './event-json.js';
import type { BusEvent } from './event-bus.js';
import type { EventsMetrics } from './events-metrics.js';
import type { HubConnection, HubNotice, Subscription, SubscriptionHub } from './subscription-hub.js';

/** What the SSE handler needs besides the request, the response and the principal. */
export interface SseEventsOptions {
  hub: SubscriptionHub;
  queueLimit: number;
  /** most topics one stream may name */
  maxTopics: number;
  heartbeatMs: number;
  retryMs: number;
  requestId: string;
  metrics?: EventsMetrics;
  now?: () => number;
}

function refuse(res: ServerResponse, code: PublicErrorCode, message: string, details: Record<string, unknown>, o: SseEventsOptions): void {
  const body = errorBody(code, message, o.requestId, details, (o.now ?? Date.now)());
  res.writeHead(statusOfError(code), { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** An event frame: `id:` and one JSON `data:` line. */
function eventFrame(e: BusEvent): string {
  return `id: ${e.id}\ndata: ${eventJson(e)}\n\n`;
}

function controlFrame(name: string, fields: Record<string, unknown>): string {
  return `event: agentcore.${name}\ndata: ${JSON.stringify(fields)}\n\n`;
}

/**
 * Answers a GET on an event-stream route with `text/event-stream`; refuses with the error body (400/403) before
 * the stream opens when no topic can be subscribed. Resolves once the stream is set up.
 */
export async function serveEventsSse(req: IncomingMessage, res: ServerResponse, principal: SubscriberPrincipal, o: SseEventsOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const topics = [...url.searchParams.getAll('topic'), ...url.searchParams.getAll('topics').flatMap((t) => t.split(','))].filter((t) => t !== '');
  const header = req.headers['last-event-id'];
  const lastEventId = (Array.isArray(header) ? header[0] : header) || url.searchParams.get('lastEventId') || undefined;
  if (topics.length === 0) return refuse(res, 'INVALID_REQUEST', 'name at least one topic: ?topic=agents/a-1&topic=workflows/*/runs', {}, o);
  if (topics.length > o.maxTopics) return refuse(res, 'INVALID_REQUEST', `at most ${o.maxTopics} topics per stream`, { count: topics.length }, o);
  if (lastEventId !== undefined && !isEventId(lastEventId)) {
    return refuse(res, 'INVALID_REQUEST', `Last-Event-ID "${lastEventId.slice(0, 64)}" is not an event id (<ms>-<seq>)`, {}, o);
  }
  const { filters, refused } = o.hub.check(principal, topics);
  if (filters.length === 0) {
    const allInvalid = refused.every((r) => r.reason === 'INVALID_TOPIC');
    const message = refused.map((r) => r.message).join('; ');
    return refuse(res, allInvalid ? 'INVALID_REQUEST' : 'FORBIDDEN', message, { refused }, o);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  const conn = new SseConnection(res, principal, o);
  conn.write(`retry: ${o.retryMs}\n\n`);
  for (const r of refused) conn.write(controlFrame('error', { topic: r.topic, ...errorOf(r.reason === 'INVALID_TOPIC' ? 'INVALID_REQUEST' : 'FORBIDDEN', r.message, { topic: r.topic, reason: r.reason }, o) }));
  await conn.start(filters.map((f) => f.source), lastEventId);
}

function errorOf(code: PublicErrorCode, message: string, details: Record<string, unknown>, o: SseEventsOptions): Record<string, unknown> {
  return JSON.parse(errorBody(code, message, o.requestId, details, (o.now ?? Date.now)())) as Record<string, unknown>;
}

class SseConnection implements HubConnection {
  private readonly writer: BoundedWriter;
  private readonly timer: NodeJS.Timeout;
  private readonly stopExpiry: () => void;
  private sub: Subscription | undefined;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    readonly principal: SubscriberPrincipal,
    private readonly o: SseEventsOptions,
  ) {
    this.writer = new BoundedWriter(o.queueLimit, (chunk, done) => res.write(chunk, () => done()), () => res.writableNeedDrain, () => this.slowConsumer());
    o.metrics?.connections.inc({ transport: 'sse' });
    this.timer = setInterval(() => this.write(': heartbeat\n\n'), o.heartbeatMs);
    this.timer.unref();
    this.stopExpiry = watchCredentialExpiry(principal, (o.now ?? Date.now)(), () => {
      const message = expiredMessage(principal.expiresAt as number);
      this.write(controlFrame('error', errorOf('UNAUTHENTICATED', message, { reason: 'TOKEN_EXPIRED' }, o)));
      if (this.sub !== undefined) o.hub.unsubscribe(this.sub);
      this.end();
    });
    res.on('close', () => this.onClose());
  }

  async start(topics: string[], lastEventId: string | undefined): Promise<void> {
    const outcome = await this.o.hub.subscribe(this, 'sse', topics, lastEventId);
    this.sub = outcome.subscription;
    if (this.ended && this.sub !== undefined) this.o.hub.unsubscribe(this.sub);
  }

  write(chunk: string): void {
    if (!this.ended) this.writer.send(chunk);
  }

  deliver(_sub: Subscription, event: BusEvent): void {
    if (this.ended) return;
    if (this.writer.send(eventFrame(event))) this.o.metrics?.sseOut.inc();
  }

  notice(sub: Subscription, n: HubNotice): void {
    if (n.kind === 'gap') {
      const message = `events after ${n.afterId} are no longer in the history of ${n.topics.join(', ')}; what is left follows`;
      this.write(controlFrame('gap', { topics: n.topics, lastEventId: n.afterId, message }));
      return;
    }
    if (n.kind === 'revoked') {
      this.write(controlFrame('error', { topic: n.topic, ...errorOf('FORBIDDEN', n.message, { topic: n.topic, reason: 'PERMISSION_REVOKED' }, this.o) }));
    } else this.write(controlFrame('error', errorOf('SERVICE_UNAVAILABLE', n.message, {}, this.o)));
    if (sub.closed) this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.res.end();
  }

  private slowConsumer(): void {
    this.o.metrics?.drops.inc({ reason: 'slow_consumer' });
    // The frames in flight cannot be flushed: drop the connection; EventSource reconnects with Last-Event-ID.
    this.ended = true;
    if (this.sub !== undefined) this.o.hub.unsubscribe(this.sub);
    this.res.destroy();
  }

  private onClose(): void {
    this.ended = true;
    clearInterval(this.timer);
    this.stopExpiry();
    if (this.sub !== undefined) this.o.hub.unsubscribe(this.sub);
    this.o.metrics?.connections.dec({ transport: 'sse' });
  }
}
