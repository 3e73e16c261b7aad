/**
 * The event bus: where published events go and where every subscription hub of the service reads them from.
 * One interface, several implementations: in-process (`memory-bus.ts`, one sidecar) and Redis Streams
 * (`redis-bus.ts`, several sidecars); NATS JetStream would be a third (docs/events.md § The bus).
 */
import { ProxyError } from '../errors.js';

/** What a publisher sends: the bus assigns the id and time. */
export interface EventInput {
  topic: string;
  /** the event's kind, e.g. `agent.status` */
  type: string;
  /** any JSON value */
  data: unknown;
  /** the principal id that owns the event (topic rules with `owner` deliver it only to that principal) */
  owner?: string | undefined;
  /** principal ids or `role:<name>` that may see the event; absent = everyone the topic rule allows */
  audience?: readonly string[] | undefined;
  /** the publisher's own id for the event, echoed to subscribers (not used for ordering) */
  sourceId?: string | undefined;
}

/** An event as stored and delivered: `id` is unique and increases across all topics of one bus. */
export interface BusEvent extends EventInput {
  /** `<ms>-<seq>`, ordered by `compareEventIds` */
  id: string;
  /** publish time, ms since epoch */
  time: number;
}

/** What a resume from an id found for one subscription filter. */
export type HistoryResult =
  /** the events after the id, oldest first; none were trimmed */
  | { complete: true; events: BusEvent[] }
  /** events after the id were trimmed (too old or over the length bound); `events` is what is left */
  | { complete: false; events: BusEvent[]; topics: string[] };

/** Bounds of the per-topic history. */
export interface HistoryLimits {
  maxEvents: number;
  maxAgeMs: number;
}

/** A pluggable event bus. `subscribe` delivers every event of the bus, in id order, to one hub. */
export interface EventBus {
  /** Stores and propagates an event; rejects with `EventBusUnavailableError` when the broker cannot take it. */
  publish(input: EventInput): Promise<BusEvent>;
  /** Calls `listener` for every event published from now on (by any hub of the bus); returns the unsubscribe. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  /** The events after `afterId` on the topics `matches` selects (`exactTopic` when the filter names one topic). */
  history(afterId: string, exactTopic: string | undefined, matches: (topic: string) => boolean): Promise<HistoryResult>;
  /** The id of the last event the bus has seen (for a subscription without resume), or `0-0`. */
  lastId(): string;
  close(): Promise<void>;
}

/** The broker did not take or cannot serve the request (down, timed out); the caller answers 503. */
export class EventBusUnavailableError extends ProxyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROXY_EVENT_BUS_UNAVAILABLE', message, options);
    this.name = 'EventBusUnavailableError';
  }
}
