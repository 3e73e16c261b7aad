import { describe, expect, it } from 'vitest';
import { compileRbac, EventsPolicy } from '@agentcore/policies';
import type { Role } from '@agentcore/policies';
import { MemoryEventBus } from './memory-bus.js';
import { EventBusUnavailableError } from './event-bus.js';
import type { BusEvent, EventBus, HistoryResult } from './event-bus.js';
import { SubscriptionHub } from './subscription-hub.js';
import type { HubConnection, HubNotice, Subscription } from './subscription-hub.js';
import { topicAuthorizer } from './topic-authorizer.js';

const policy = EventsPolicy.parse({
  topics: [
    { pattern: 'agents/{id}', permission: 'agents:read' },
    { pattern: 'workflows/{id}/runs', permission: 'workflows:read' },
  ],
});
const roles: Role[] = [{ name: 'r', permissions: ['agents:read', 'workflows:read'], inherits: [] }];

/** A connection that records what the hub hands it. */
function recorder(): HubConnection & { events: BusEvent[]; notices: HubNotice[] } {
  const c = {
    principal: { id: 'p', roles: ['r'] },
    events: [] as BusEvent[],
    notices: [] as HubNotice[],
    deliver: (_s: Subscription, e: BusEvent) => void c.events.push(e),
    notice: (_s: Subscription, n: HubNotice) => void c.notices.push(n),
  };
  return c;
}

describe('SubscriptionHub', () => {
  it('revokes only the filters a new policy refuses and keeps delivering the others', async () => {
    const bus = new MemoryEventBus({ history: policy.history });
    const hub = new SubscriptionHub({ bus, authorize: topicAuthorizer(policy, compileRbac(roles)) });
    const c = recorder();
    const { subscription } = await hub.subscribe(c, 's', ['agents/a1', 'workflows/*/runs']);
    expect(hub.reauthorize(topicAuthorizer(policy, compileRbac([{ name: 'r', permissions: ['agents:read'], inherits: [] }])))).toBe(1);
    expect(c.notices).toEqual([{ kind: 'revoked', topic: 'workflows/*/runs', message: 'topic "workflows/*/runs" requires permission workflows:read', ended: false }]);
    expect(subscription?.filters.map((f) => f.source)).toEqual(['agents/a1']);
    await bus.publish({ topic: 'workflows/w/runs', type: 't', data: 1 });
    await bus.publish({ topic: 'agents/a1', type: 't', data: 2 });
    expect(c.events.map((e) => e.data)).toEqual([2]);
    expect(hub.stats()).toEqual({ subscriptions: 1, topics: 1 });
  });

  it('holds live events while the history is read, then delivers history and live once each, in id order', async () => {
    const bus = new MemoryEventBus({ history: policy.history });
    const first = await bus.publish({ topic: 'agents/a1', type: 't', data: 0 });
    await bus.publish({ topic: 'agents/a1', type: 't', data: 1 });
    // A bus whose history read is slow: a live event is published (and also lands in the history) meanwhile.
    const slow: EventBus = {
      publish: (i) => bus.publish(i),
      subscribe: (l) => bus.subscribe(l),
      lastId: () => bus.lastId(),
      close: () => bus.close(),
      history: async (after, topic, matches): Promise<HistoryResult> => {
        await bus.publish({ topic: 'agents/a1', type: 't', data: 2 });
        return bus.history(after, topic, matches);
      },
    };
    const hub = new SubscriptionHub({ bus: slow, authorize: topicAuthorizer(policy, compileRbac(roles)) });
    const c = recorder();
    await hub.subscribe(c, 's', ['agents/a1'], first.id);
    await bus.publish({ topic: 'agents/a1', type: 't', data: 3 });
    expect(c.events.map((e) => e.data)).toEqual([1, 2, 3]);
  });

  it('ends the subscription with a notice when the history cannot be read', async () => {
    const bus = new MemoryEventBus({ history: policy.history });
    const broken: EventBus = { ...bus, subscribe: (l) => bus.subscribe(l), lastId: () => '0-0', publish: (i) => bus.publish(i), close: () => bus.close(), history: () => Promise.reject(new EventBusUnavailableError('the event bus (Redis) could not read the history: down')) };
    const hub = new SubscriptionHub({ bus: broken, authorize: topicAuthorizer(policy, compileRbac(roles)) });
    const c = recorder();
    const out = await hub.subscribe(c, 's', ['agents/a1'], '1-0');
    expect(out.subscription).toBeUndefined();
    expect(c.notices[0]).toMatchObject({ kind: 'failed', message: expect.stringContaining('could not read the history') });
    expect(hub.stats().subscriptions).toBe(0);
  });

  it('refuses bad filters and unknown ids without subscribing', async () => {
    const hub = new SubscriptionHub({ bus: new MemoryEventBus({ history: policy.history }), authorize: topicAuthorizer(policy, compileRbac(roles)) });
    const out = await hub.subscribe(recorder(), 's', ['agents/{id}', 'nope/x']);
    expect(out.subscription).toBeUndefined();
    expect(out.refused.map((r) => r.reason)).toEqual(['INVALID_TOPIC', 'NO_RULE']);
    await expect(hub.subscribe(recorder(), 's', ['agents/a1'], 'abc')).rejects.toThrow('is not an event id');
  });
});
