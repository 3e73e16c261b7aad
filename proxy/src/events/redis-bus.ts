/**
 * The Redis Streams event bus: several sidecars of one service share it. Publishing runs one script (all-stream +
 * per-topic stream + topic index); each bus instance reads the all-stream with XREAD BLOCK on its own connection
 * and hands every event to its hub; resumption reads the per-topic streams (docs/events.md § The bus).
 */
import { Redis } from 'ioredis';
import { compareEventIds, parseEventId } from './event-id.js';
import { EventBusUnavailableError } from './event-bus.js';
import type { BusEvent, EventBus, EventInput, HistoryLimits, HistoryResult } from './event-bus.js';
import { HISTORY_LUA, PUBLISH_LUA } from './redis-bus-scripts.js';

/** Options of `RedisEventBus`. */
export interface RedisBusOptions {
  /** `redis://host:port[/db]` */
  url: string;
  /** key prefix with a hash tag, e.g. `agentcore:events:{orders}` */
  prefix: string;
  history: HistoryLimits;
  /** length bound of the all-stream (the live feed between sidecars); default 100 000 */
  feedMaxLen?: number;
  /** longest wait for a publish or history read, ms (default 2000) */
  commandTimeoutMs?: number;
  /** called when the live feed fails and when it recovers (logs, metrics) */
  onFeedState?(state: 'down' | 'up', error?: Error): void;
}

interface ScriptClient {
  agentcoreEventPublish(...args: string[]): Promise<[string, string]>;
  agentcoreEventHistory(...args: string[]): Promise<[string | null, [string, string[]][], string]>;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

function fieldOf(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

function decode(id: string, fields: readonly string[]): BusEvent | undefined {
  const raw = fieldOf(fields, 'e');
  if (raw === undefined) return undefined;
  const body = JSON.parse(raw) as Omit<BusEvent, 'id'>;
  return { ...body, id };
}

function unavailable(what: string, cause: unknown): EventBusUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new EventBusUnavailableError(`the event bus (Redis) could not ${what}: ${reason}`, { cause });
}

/** An `EventBus` on Redis Streams. */
export class RedisEventBus implements EventBus {
  private readonly client: Redis;
  private readonly reader: Redis;
  private readonly scripts: ScriptClient;
  private readonly listeners = new Set<(event: BusEvent) => void>();
  private readonly allKey: string;
  private readonly indexKey: string;
  private last = '0-0';
  private started = false;
  private closed = false;
  private feedDown = false;

  constructor(private readonly options: RedisBusOptions) {
    const timeout = options.commandTimeoutMs ?? 2000;
    const retryStrategy = (times: number): number => Math.min(50 * 2 ** Math.min(times, 5), 1000);
    this.client = new Redis(options.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: timeout, retryStrategy });
    this.client.on('error', () => undefined); // surfaced per command and by the feed loop
    // The reader blocks in XREAD: no command timeout, queue while reconnecting.
    this.reader = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy });
    this.reader.on('error', () => undefined);
    this.client.defineCommand('agentcoreEventPublish', { lua: PUBLISH_LUA, numberOfKeys: 3 });
    this.client.defineCommand('agentcoreEventHistory', { lua: HISTORY_LUA, numberOfKeys: 1 });
    this.scripts = this.client as unknown as ScriptClient;
    this.allKey = `${options.prefix}:all`;
    this.indexKey = `${options.prefix}:topics`;
  }

  /** Connects both connections and positions the live feed at the newest event; call once before use. */
  async start(): Promise<void> {
    await Promise.all([this.client.connect(), this.reader.connect()]);
    const newest = (await this.reader.xrevrange(this.allKey, '+', '-', 'COUNT', 1)) as [string, string[]][];
    this.last = newest[0]?.[0] ?? '0-0';
    this.started = true;
    void this.feedLoop();
  }

  async publish(input: EventInput): Promise<BusEvent> {
    const { maxEvents, maxAgeMs } = this.options.history;
    const body = { topic: input.topic, type: input.type, data: input.data, owner: input.owner, audience: input.audience, sourceId: input.sourceId, time: Date.now() };
    let reply: [string, string];
    try {
      reply = await this.scripts.agentcoreEventPublish(this.allKey, this.topicKey(input.topic), this.indexKey,
        JSON.stringify(body), input.topic, String(maxEvents), String(maxAgeMs), String(this.options.feedMaxLen ?? 100_000));
    } catch (err) {
      throw unavailable('take the event', err);
    }
    return { ...body, id: reply[0] };
  }

  subscribe(listener: (event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async history(afterId: string, exactTopic: string | undefined, matches: (topic: string) => boolean): Promise<HistoryResult> {
    const { maxAgeMs } = this.options.history;
    try {
      let topics: string[];
      const gaps: string[] = [];
      if (exactTopic !== undefined) topics = [exactTopic];
      else {
        const now = Date.now();
        topics = (await this.client.zrangebyscore(this.indexKey, now - 2 * maxAgeMs, '+inf')).filter(matches);
        if (parseEventId(afterId)[0] < now - 2 * maxAgeMs) gaps.push('*');
      }
      const events: BusEvent[] = [];
      const replies = await Promise.all(topics.map((t) => this.scripts.agentcoreEventHistory(this.topicKey(t), afterId, String(maxAgeMs))));
      replies.forEach(([last, entries, nowText], i) => {
        const topic = topics[i] as string;
        if (last === null) {
          if (parseEventId(afterId)[0] < Number(nowText) - 2 * maxAgeMs) gaps.push(topic);
          return;
        }
        const first = entries[0];
        const prev = first === undefined ? last : (fieldOf(first[1], 'p') ?? '0-0');
        if (compareEventIds(prev, afterId) > 0) gaps.push(topic);
        for (const [id, fields] of entries) {
          const e = decode(id, fields);
          if (e !== undefined) events.push(e);
        }
      });
      events.sort((a, b) => compareEventIds(a.id, b.id));
      return gaps.length === 0 ? { complete: true, events } : { complete: false, events, topics: gaps };
    } catch (err) {
      throw unavailable('read the history', err);
    }
  }

  lastId(): string {
    return this.last;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.reader.disconnect();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private topicKey(topic: string): string {
    return `${this.options.prefix}:t:${topic}`;
  }

  /** Reads the all-stream after the last id seen, forever; on failure waits and resumes from the same id. */
  private async feedLoop(): Promise<void> {
    while (!this.closed && this.started) {
      try {
        const reply = (await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.allKey, this.last)) as StreamReply;
        if (this.feedDown) {
          this.feedDown = false;
          this.options.onFeedState?.('up');
        }
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.last = id;
            const e = decode(id, fields);
            if (e !== undefined) for (const l of this.listeners) l(e);
          }
        }
      } catch (err) {
        if (this.closed) return;
        if (!this.feedDown) {
          this.feedDown = true;
          this.options.onFeedState?.('down', err as Error);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}
