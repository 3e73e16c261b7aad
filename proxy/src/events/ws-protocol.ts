/**
 * The JSON messages of the event WebSocket protocol (docs/events.md § WebSocket), client → server as zod schemas,
 * server → client as builders. Errors carry the specification's error body.
 */
import { z } from 'zod';
import { errorBody } from '@agentcore/policies';
import type { PublicErrorCode } from '@agentcore/policies';
import type { BusEvent } from './event-bus.js';
import { eventJson } from './event-json.js';

const SubscriptionId = z.string().min(1).max(128);

/** A message a client may send. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('subscribe'),
    /** the client's name for the subscription; default: the topics joined with "," */
    id: SubscriptionId.optional(),
    topics: z.array(z.string().min(1).max(256)).min(1).max(100),
    /** resume after this event id (the last one the client received on this subscription) */
    lastEventId: z.string().max(64).optional(),
  }),
  z.strictObject({ type: z.literal('unsubscribe'), id: SubscriptionId }),
  z.strictObject({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** WebSocket close codes the server uses (RFC 6455 §7.4; 4000-4999 are application codes). */
export const CloseCode = {
  /** the server shuts down */
  GOING_AWAY: 1001,
  /** the credential the connection was opened with expired: reconnect with a fresh one */
  CREDENTIAL_EXPIRED: 4001,
  /** the connection's queue limit was reached: resume from the last id */
  SLOW_CONSUMER: 4008,
} as const;

/** `{"type":"event","subscription","event":{id,topic,type,data,time,owner?}}`. */
export function eventMessage(subscription: string, e: BusEvent): string {
  return `{"type":"event","subscription":${JSON.stringify(subscription)},"event":${eventJson(e)}}`;
}

/** `{"type":"error","id"?,"error":{code,message,details,request_id,timestamp}}`. */
export function errorMessage(code: PublicErrorCode, message: string, details: Record<string, unknown>, requestId: string, nowMs: number, id?: string): string {
  const body = JSON.parse(errorBody(code, message, requestId, details, nowMs)) as object;
  return JSON.stringify({ type: 'error', ...(id === undefined ? {} : { id }), ...body });
}

/** A control message (`subscribed`, `unsubscribed`, `gap`, `pong`) as JSON text. */
export function controlMessage(type: 'subscribed' | 'unsubscribed' | 'gap' | 'pong', fields: Record<string, unknown>): string {
  return JSON.stringify({ type, ...fields });
}
