/**
 * The in-process event bus: one sidecar serves the service. Per-topic history bounded by length and age;
 * ids from the clock (`<ms>-<seq>`), so they keep increasing across a restart.
 */
import { compareEventIds, eventIdGenerator } from './event-id.js';
import type { BusEvent, EventBus, EventInput, HistoryLimits, HistoryResult } from './event-bus.js';

interface TopicHistory {
  events: BusEvent[];
  /** the id of the newest event trimmed from this topic, if any */
  trimmedUpTo: string | undefined;
}

/** Options of `MemoryEventBus`. */
export interface MemoryBusOptions {
  history: HistoryLimits;
  /** most topics kept; the least recently published is forgotten first (its trimmed watermark kept globally) */
  maxTopics?: number;
  now?: () => number;
}

/** An `EventBus` inside one process. */
export class MemoryEventBus implements EventBus {
  private readonly topics = new Map<string, TopicHistory>();
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly nextId: () => string;
  private readonly now: () => number;
  private readonly maxTopics: number;
  /** the newest id trimmed with a forgotten topic: resuming before it on an unknown topic is incomplete */
  private forgottenUpTo: string | undefined;
  private last = '0-0';

  constructor(private readonly options: MemoryBusOptions) {
    this.now = options.now ?? Date.now;
    this.nextId = eventIdGenerator(this.now);
    this.maxTopics = options.maxTopics ?? 100_000;
  }

  publish(input: EventInput): Promise<BusEvent> {
    const time = this.now();
    const event: BusEvent = { ...input, id: this.nextId(), time };
    this.last = event.id;
    let h = this.topics.get(input.topic);
    if (h === undefined) {
      h = { events: [], trimmedUpTo: undefined };
      if (this.topics.size >= this.maxTopics) this.forgetOldestTopic();
    } else this.topics.delete(input.topic); // re-insert: Map order is publish recency
    this.topics.set(input.topic, h);
    if (this.options.history.maxEvents > 0) h.events.push(event);
    else h.trimmedUpTo = event.id;
    this.trim(h, time);
    for (const l of this.listeners) l(event);
    return Promise.resolve(event);
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  history(afterId: string, exactTopic: string | undefined, matches: (topic: string) => boolean): Promise<HistoryResult> {
    const now = this.now();
    const out: BusEvent[] = [];
    const gaps: string[] = [];
    const visit = (topic: string, h: TopicHistory): void => {
      this.trim(h, now);
      if (h.trimmedUpTo !== undefined && compareEventIds(afterId, h.trimmedUpTo) < 0) gaps.push(topic);
      for (const e of h.events) if (compareEventIds(e.id, afterId) > 0) out.push(e);
    };
    if (exactTopic !== undefined) {
      const h = this.topics.get(exactTopic);
      if (h !== undefined) visit(exactTopic, h);
      else if (this.forgottenUpTo !== undefined && compareEventIds(afterId, this.forgottenUpTo) < 0) gaps.push(exactTopic);
    } else {
      for (const [topic, h] of this.topics) if (matches(topic)) visit(topic, h);
      if (this.forgottenUpTo !== undefined && compareEventIds(afterId, this.forgottenUpTo) < 0) gaps.push('*');
    }
    out.sort((a, b) => compareEventIds(a.id, b.id));
    return Promise.resolve(gaps.length === 0 ? { complete: true, events: out } : { complete: false, events: out, topics: gaps });
  }

  lastId(): string {
    return this.last;
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  /** Drops events over the length bound and older than the age bound, remembering the newest dropped id. */
  private trim(h: TopicHistory, now: number): void {
    const { maxEvents, maxAgeMs } = this.options.history;
    let drop = Math.max(0, h.events.length - maxEvents);
    while (drop < h.events.length && now - (h.events[drop] as BusEvent).time > maxAgeMs) drop++;
    if (drop === 0) return;
    h.trimmedUpTo = (h.events[drop - 1] as BusEvent).id;
    h.events.splice(0, drop);
  }

  private forgetOldestTopic(): void {
    const [topic, h] = this.topics.entries().next().value as [string, TopicHistory];
    this.topics.delete(topic);
    const newest = h.events.at(-1)?.id ?? h.trimmedUpTo;
    if (newest !== undefined && (this.forgottenUpTo === undefined || compareEventIds(newest, this.forgottenUpTo) > 0)) this.forgottenUpTo = newest;
  }
}
