/** Prometheus metrics of the event system (prom-client), registered on the registry the sidecar serves. */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** The event metrics; labels are bounded (transport, reason codes), never topics or principals. */
export class EventsMetrics {
  readonly connections: Gauge<'transport'>;
  readonly subscriptions: Gauge;
  readonly topics: Gauge;
  readonly eventsIn: Counter<'source'>;
  readonly eventsOut: Counter<'transport'>;
  readonly drops: Counter<'reason'>;
  readonly lag: Histogram;
  readonly refused: Counter<'reason'>;
  /** `eventsOut` children bound once: the per-frame increment skips the label lookup */
  readonly sseOut: Counter.Internal;
  readonly wsOut: Counter.Internal;

  constructor(registry: Registry) {
    const registers = [registry];
    this.connections = new Gauge({ name: 'agentcore_events_connections', help: 'Open subscriber connections by transport.', labelNames: ['transport'], registers });
    this.subscriptions = new Gauge({ name: 'agentcore_events_subscriptions', help: 'Open subscriptions (one connection may hold several).', registers });
    this.topics = new Gauge({ name: 'agentcore_events_subscribed_topics', help: 'Distinct topic filters with at least one subscription.', registers });
    this.eventsIn = new Counter({ name: 'agentcore_events_in_total', help: 'Events received: published here, or from the bus.', labelNames: ['source'], registers });
    this.eventsOut = new Counter({ name: 'agentcore_events_out_total', help: 'Event frames written to subscribers.', labelNames: ['transport'], registers });
    this.drops = new Counter({
      name: 'agentcore_events_dropped_total',
      help: 'Connections or events dropped: slow_consumer (queue limit reached), dead_peer, revoked.',
      labelNames: ['reason'],
      registers,
    });
    this.lag = new Histogram({
      name: 'agentcore_events_delivery_lag_seconds',
      help: 'From publish (event time) to the frame written to a subscriber.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.sseOut = this.eventsOut.labels('sse');
    this.wsOut = this.eventsOut.labels('websocket');
    this.refused = new Counter({ name: 'agentcore_events_refused_total', help: 'Subscriptions and publishes refused, by reason code.', labelNames: ['reason'], registers });
  }
}
