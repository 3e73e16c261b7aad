/**
 * The event routes of a running sidecar (docs/events.md § Integration): one bus and one subscription hub per route
 * with `events`, keyed by route id, kept across bundle changes. Each bundle change re-checks every open subscription
 * against the new topic rules and roles (`hub.reauthorize`, synchronous); a route that lost `events` is closed.
 */
import type { EventsPolicy } from '@agentcore/policies';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import type { EventBus } from './event-bus.js';
import { EventsMetrics } from './events-metrics.js';
import { MemoryEventBus } from './memory-bus.js';
import { SubscriptionHub } from './subscription-hub.js';
import { topicAuthorizer } from './topic-authorizer.js';

/** One event route: its bus, its hub, its policy in force, and the open connections to end on close. */
export interface EventRoute {
  readonly id: string;
  readonly bus: EventBus;
  readonly hub: SubscriptionHub;
  policy: EventsPolicy;
  /** closes each open connection of the route (1001 / end of stream) */
  readonly closers: Set<() => void>;
}

/** How the process runs its event routes. */
export interface SidecarEventsOptions {
  /** Redis Streams bus shared by sidecars; undefined = in-process bus */
  redisUrl: string | undefined;
  registry: Registry;
  log: Logger;
}

/** The event routes of one sidecar process. */
export class SidecarEvents {
  readonly metrics: EventsMetrics;
  private readonly routes = new Map<string, EventRoute>();
  private readonly starting = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly o: SidecarEventsOptions) {
    this.metrics = new EventsMetrics(o.registry);
  }

  /** The route's bus and hub, or undefined while it starts (or when it has no events). */
  route(id: string): EventRoute | undefined {
    return this.routes.get(id);
  }

  /**
   * Applies a bundle: re-authorises the open subscriptions of every kept route at once, closes routes that lost
   * `events`, and starts the buses of new ones (resolves when they are ready).
   */
  sync(runtime: PolicyRuntime): Promise<void> {
    if (this.closed) return Promise.resolve();
    const wanted = new Map<string, EventsPolicy>();
    for (const r of runtime.routes) if (r.route.events) wanted.set(r.id, r.route.events);
    for (const [id, er] of this.routes) {
      const policy = wanted.get(id);
      if (!policy) {
        this.routes.delete(id);
        void this.closeRoute(er);
        continue;
      }
      er.policy = policy;
      const ended = er.hub.reauthorize(topicAuthorizer(policy, runtime.rbac));
      if (ended > 0) this.o.log.info({ route: id, ended }, 'event subscriptions ended by a bundle change');
    }
    const starts: Promise<void>[] = [];
    for (const [id, policy] of wanted) {
      if (this.routes.has(id)) continue;
      let s = this.starting.get(id);
      if (!s) {
        s = this.open(id, policy, runtime).finally(() => this.starting.delete(id));
        this.starting.set(id, s);
      }
      starts.push(s);
    }
    return Promise.all(starts).then(() => undefined);
  }

  /** Stops every route: connections closed, hubs and buses closed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.starting.values()]);
    const all = [...this.routes.values()];
    this.routes.clear();
    await Promise.all(all.map((r) => this.closeRoute(r)));
  }

  private async open(id: string, policy: EventsPolicy, runtime: PolicyRuntime): Promise<void> {
    const url = this.o.redisUrl;
    const service = runtime.bundle.service;
    // ioredis is loaded only by sidecars that use it (issue #16: RSS per idle worker)
    const redis = url ? new (await import('./redis-bus.js')).RedisEventBus({ url, prefix: `agentcore:events:{${service}}:${id}`, history: policy.history }) : undefined;
    const bus: EventBus = redis ?? new MemoryEventBus({ history: policy.history });
    try {
      if (redis) await redis.start();
    } catch (err) {
      await bus.close();
      this.o.log.error({ route: id, err }, 'event bus failed to start; the route answers 503 until the next bundle');
      return;
    }
    // The rules in force now, not those of the bundle that started the bus (a newer one may have come meanwhile).
    const hub = new SubscriptionHub({ bus, authorize: topicAuthorizer(policy, runtime.rbac), metrics: this.metrics });
    if (this.closed) {
      hub.close();
      await bus.close();
      return;
    }
    this.routes.set(id, { id, bus, hub, policy, closers: new Set() });
    this.o.log.info({ route: id, bus: url ? 'redis' : 'memory' }, 'event route ready');
  }

  private async closeRoute(r: EventRoute): Promise<void> {
    for (const close of [...r.closers]) close();
    r.hub.close();
    await r.bus.close();
  }
}
