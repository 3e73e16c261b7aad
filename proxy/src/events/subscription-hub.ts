/**
 * The subscription hub: one per event-stream route of a sidecar. It reads every event of the bus once and fans it
 * out to the subscriptions whose filters match and whose principal the topic rule allows; it resumes from an id
 * with the bus history, and re-checks every open subscription when the policy changes (docs/events.md).
 */
import { parseTopicFilter, matchTopic } from '@agentcore/policies';
import type { TopicPattern, TopicPrincipal } from '@agentcore/policies';
import { compareEventIds, isEventId } from './event-id.js';
import type { BusEvent, EventBus } from './event-bus.js';
import type { EventsMetrics } from './events-metrics.js';
import type { TopicAuthorizer } from './topic-authorizer.js';

/** What the hub tells a connection about one of its subscriptions besides events. */
export type HubNotice =
  /** events after the resume id on `topics` are no longer in the history (`*` = unknown topics of a pattern) */
  | { kind: 'gap'; topics: readonly string[]; afterId: string }
  /** a filter of the subscription is no longer allowed (new policy); `ended` = it was the last one */
  | { kind: 'revoked'; topic: string; message: string; ended: boolean }
  /** the subscription could not resume (the bus is down); it is over */
  | { kind: 'failed'; message: string };

/** One transport connection (a WebSocket or an SSE response) as the hub sees it. */
export interface HubConnection {
  readonly principal: TopicPrincipal;
  deliver(subscription: Subscription, event: BusEvent): void;
  notice(subscription: Subscription, notice: HubNotice): void;
}

/** One subscription: a set of filters with one position (`lastId`), so its events arrive in id order. */
export interface Subscription {
  readonly id: string;
  readonly connection: HubConnection;
  filters: TopicPattern[];
  /** the id of the last event delivered (or the resume id); events at or before it are not delivered again */
  lastId: string;
  /** live events held while the history is read */
  buffer: BusEvent[] | undefined;
  closed: boolean;
}

/** A filter the hub refused, and why. */
export interface RefusedTopic {
  topic: string;
  reason: string;
  message: string;
}

/** The outcome of `subscribe`: the subscription (when at least one filter was allowed) and the refused filters. */
export interface SubscribeOutcome {
  subscription: Subscription | undefined;
  refused: RefusedTopic[];
}

/** Options of a hub. */
export interface HubOptions {
  bus: EventBus;
  authorize: TopicAuthorizer;
  /** live events held per subscription while it resumes; past it the subscription fails (default 10 000) */
  resumeBufferLimit?: number;
  metrics?: EventsMetrics;
}

/** Fans bus events out to subscriptions. */
export class SubscriptionHub {
  private authorize: TopicAuthorizer;
  /** subscriptions by exact topic */
  private readonly exact = new Map<string, Set<Subscription>>();
  /** subscriptions with at least one wildcard filter */
  private readonly wildcard = new Set<Subscription>();
  private readonly all = new Set<Subscription>();
  private readonly unsubscribeBus: () => void;

  constructor(private readonly options: HubOptions) {
    this.authorize = options.authorize;
    this.unsubscribeBus = options.bus.subscribe((e) => this.onEvent(e));
  }

  /**
   * Subscribes a connection to `topics`, resuming after `afterId` when given. Refused filters (bad syntax, not
   * allowed) are returned, the others subscribed; with none allowed there is no subscription.
   */
  async subscribe(connection: HubConnection, id: string, topics: readonly string[], afterId?: string): Promise<SubscribeOutcome> {
    const { filters, refused } = this.check(connection.principal, topics);
    for (const r of refused) this.options.metrics?.refused.inc({ reason: r.reason });
    if (filters.length === 0) return { subscription: undefined, refused };
    if (afterId !== undefined && !isEventId(afterId)) throw new RangeError(`"${afterId}" is not an event id (<ms>-<seq>)`);
    const sub: Subscription = { id, connection, filters, lastId: afterId ?? '0-0', buffer: afterId === undefined ? undefined : [], closed: false };
    this.index(sub);
    if (afterId !== undefined) await this.resume(sub, afterId);
    return { subscription: sub.closed ? undefined : sub, refused };
  }

  /** Parses and authorises topic filters without subscribing (SSE answers 403 before opening the stream). */
  check(principal: TopicPrincipal, topics: readonly string[]): { filters: TopicPattern[]; refused: RefusedTopic[] } {
    const refused: RefusedTopic[] = [];
    const filters: TopicPattern[] = [];
    for (const topic of new Set(topics)) {
      const parsed = parseTopicFilter(topic);
      if (!parsed.ok) refused.push({ topic, reason: 'INVALID_TOPIC', message: `topic "${topic}" ${parsed.message}` });
      else {
        const d = this.authorize(principal, parsed.pattern);
        if (d.allow) filters.push(parsed.pattern);
        else refused.push({ topic, reason: d.reason, message: d.message });
      }
    }
    return { filters, refused };
  }

  /** Ends a subscription (client unsubscribe or disconnect). */
  unsubscribe(sub: Subscription): void {
    if (sub.closed) return;
    sub.closed = true;
    this.unindex(sub);
  }

  /**
   * Installs a new authoriser (call it on every bundle change) and re-checks every open subscription at once:
   * each filter no longer allowed is removed with a `revoked` notice. Returns how many filters were revoked.
   */
  reauthorize(authorize: TopicAuthorizer): number {
    this.authorize = authorize;
    let revoked = 0;
    for (const sub of [...this.all]) {
      const keep: TopicPattern[] = [];
      const lost: { topic: string; message: string }[] = [];
      for (const f of sub.filters) {
        const d = authorize(sub.connection.principal, f);
        if (d.allow) keep.push(f);
        else lost.push({ topic: f.source, message: d.message });
      }
      if (lost.length === 0) continue;
      revoked += lost.length;
      this.unindex(sub);
      sub.filters = keep;
      if (keep.length === 0) sub.closed = true;
      else this.index(sub);
      lost.forEach((l, i) => sub.connection.notice(sub, { kind: 'revoked', topic: l.topic, message: l.message, ended: keep.length === 0 && i === lost.length - 1 }));
      this.options.metrics?.drops.inc({ reason: 'revoked' }, lost.length);
    }
    return revoked;
  }

  /** Open subscriptions and distinct topic filters (metrics, tests). */
  stats(): { subscriptions: number; topics: number } {
    let wildcardFilters = 0;
    for (const s of this.wildcard) for (const f of s.filters) if (!f.exact) wildcardFilters++;
    return { subscriptions: this.all.size, topics: this.exact.size + wildcardFilters };
  }

  /** Stops reading the bus; open subscriptions stay indexed until their connections close. */
  close(): void {
    this.unsubscribeBus();
  }

  private async resume(sub: Subscription, afterId: string): Promise<void> {
    const byId = new Map<string, BusEvent>();
    const gaps: string[] = [];
    try {
      for (const f of sub.filters) {
        const h = await this.options.bus.history(afterId, f.exact ? f.source : undefined, (t) => matchTopic(f, t) !== undefined);
        for (const e of h.events) byId.set(e.id, e);
        if (!h.complete) gaps.push(...h.topics);
      }
    } catch (err) {
      this.unsubscribe(sub);
      sub.connection.notice(sub, { kind: 'failed', message: `could not resume: ${(err as Error).message}` });
      return;
    }
    if (sub.closed) return;
    if (gaps.length > 0) sub.connection.notice(sub, { kind: 'gap', topics: [...new Set(gaps)], afterId });
    const buffered = sub.buffer ?? [];
    sub.buffer = undefined;
    const events = [...byId.values()].sort((a, b) => compareEventIds(a.id, b.id));
    for (const e of events) this.send(sub, e);
    for (const e of buffered) this.send(sub, e);
  }

  private onEvent(e: BusEvent): void {
    const m = this.options.metrics;
    m?.eventsIn.inc({ source: 'bus' });
    // One decision per principal and event: connections of one principal (often one shared object) ask once.
    const decided = new Map<TopicPrincipal, boolean>();
    const exact = this.exact.get(e.topic);
    if (exact !== undefined) for (const sub of exact) this.offer(sub, e, decided);
    for (const sub of this.wildcard) {
      if (sub.filters.some((f) => !f.exact && matchTopic(f, e.topic) !== undefined)) this.offer(sub, e, decided);
    }
    m?.lag.observe(Math.max(0, Date.now() - e.time) / 1000);
  }

  private offer(sub: Subscription, e: BusEvent, decided: Map<TopicPrincipal, boolean>): void {
    if (sub.buffer === undefined) {
      this.send(sub, e, decided);
      return;
    }
    sub.buffer.push(e);
    if (sub.buffer.length > (this.options.resumeBufferLimit ?? 10_000)) {
      this.unsubscribe(sub);
      sub.connection.notice(sub, { kind: 'failed', message: 'too many live events while resuming; subscribe again from your last id' });
    }
  }

  /** Delivers once, in id order, when the topic rule allows this event to this principal. */
  private send(sub: Subscription, e: BusEvent, decided?: Map<TopicPrincipal, boolean>): void {
    if (sub.closed || compareEventIds(e.id, sub.lastId) <= 0) return;
    const principal = sub.connection.principal;
    let allow = decided?.get(principal);
    if (allow === undefined) {
      allow = this.authorize(principal, sub.filters[0] as TopicPattern, e).allow;
      decided?.set(principal, allow);
    }
    if (!allow) return;
    sub.lastId = e.id;
    sub.connection.deliver(sub, e);
  }

  private index(sub: Subscription): void {
    this.all.add(sub);
    for (const f of sub.filters) {
      if (!f.exact) {
        this.wildcard.add(sub);
        continue;
      }
      let set = this.exact.get(f.source);
      if (set === undefined) this.exact.set(f.source, (set = new Set()));
      set.add(sub);
    }
    this.updateGauges();
  }

  private unindex(sub: Subscription): void {
    this.all.delete(sub);
    this.wildcard.delete(sub);
    for (const f of sub.filters) {
      const set = this.exact.get(f.source);
      if (set !== undefined && set.delete(sub) && set.size === 0) this.exact.delete(f.source);
    }
    this.updateGauges();
  }

  private updateGauges(): void {
    const m = this.options.metrics;
    if (m === undefined) return;
    m.subscriptions.set(this.all.size);
    m.topics.set(this.exact.size + this.wildcard.size);
  }
}
