/**
 * `POST` publish endpoint for backends (docs/events.md § Publishing): an authenticated JSON event, size-limited and
 * validated, stored on the bus; answers 202 with the bus id, or the specification's error body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { errorBody, isValidTopic, statusOfError } from '@agentcore/policies';
import type { PublicErrorCode } from '@agentcore/policies';
import { EventBusUnavailableError } from './event-bus.js';
import type { EventBus } from './event-bus.js';
import type { EventsMetrics } from './events-metrics.js';

/** The outcome of the injected publisher check (the sidecar's authentication + the route's publish permission). */
export type PublisherCheck = { ok: true; principalId: string } | { ok: false; code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

/** What the publish handler needs. */
export interface PublishOptions {
  bus: EventBus;
  /** decides who publishes; never trusts identity headers of the request itself */
  checkPublisher(req: IncomingMessage): Promise<PublisherCheck>;
  maxEventBytes: number;
  requestId: string;
  metrics?: EventsMetrics;
  now?: () => number;
}

/** The body of a publish request. */
export const PublishBody = z.strictObject({
  topic: z.string().refine(isValidTopic, 'must be a topic: segments of A-Z a-z 0-9 . _ ~ : @ - separated by "/", no wildcards'),
  /** the event's kind */
  type: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -'),
  data: z.json(),
  /** the publisher's own id (idempotency is the publisher's; echoed as `sourceId`) */
  id: z.string().min(1).max(128).optional(),
  owner: z.string().min(1).max(256).optional(),
  audience: z.array(z.string().min(1).max(256)).min(1).max(100).optional(),
});

class PublishError extends Error {
  constructor(
    readonly code: PublicErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new PublishError('PAYLOAD_TOO_LARGE', `the event is ${declared} bytes; the limit is ${limit}`, { limit });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PublishError('PAYLOAD_TOO_LARGE', `the event is over the limit of ${limit} bytes`, { limit });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function parseEvent(req: IncomingMessage, limit: number): Promise<z.infer<typeof PublishBody>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new PublishError('UNSUPPORTED_MEDIA_TYPE', 'send the event as application/json');
  const raw = await readBody(req, limit);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PublishError('INVALID_REQUEST', 'the body is not JSON');
  }
  const parsed = PublishBody.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new PublishError('INVALID_REQUEST', `invalid event: ${issues.map((i) => `${i.path || 'body'} ${i.message}`).join('; ')}`, { issues });
  }
  return parsed.data;
}

/** Handles one publish request to completion; never throws. */
export async function handlePublish(req: IncomingMessage, res: ServerResponse, o: PublishOptions): Promise<void> {
  const now = o.now ?? Date.now;
  try {
    if (req.method !== 'POST') throw new PublishError('METHOD_NOT_ALLOWED', 'publish with POST');
    const who = await o.checkPublisher(req);
    if (!who.ok) throw new PublishError(who.code, who.message);
    const e = await parseEvent(req, o.maxEventBytes);
    const event = await o.bus.publish({ topic: e.topic, type: e.type, data: e.data, owner: e.owner, audience: e.audience, sourceId: e.id });
    o.metrics?.eventsIn.inc({ source: 'publish' });
    send(res, 202, JSON.stringify({ id: event.id, topic: event.topic }));
  } catch (err) {
    let failure: PublishError;
    if (err instanceof PublishError) failure = err;
    else if (err instanceof EventBusUnavailableError) failure = new PublishError('SERVICE_UNAVAILABLE', `the event was not accepted: ${err.message}`);
    else failure = new PublishError('INTERNAL_ERROR', 'the event could not be published');
    o.metrics?.refused.inc({ reason: failure.code });
    const extra: Record<string, string> = failure.code === 'SERVICE_UNAVAILABLE' ? { 'retry-after': '1' } : failure.code === 'METHOD_NOT_ALLOWED' ? { allow: 'POST' } : {};
    // Unread request bytes would be parsed as the next request: close instead of keeping the connection.
    if (!req.complete) extra.connection = 'close';
    send(res, statusOfError(failure.code), errorBody(failure.code, failure.message, o.requestId, failure.details, now()), extra);
  }
}
