import { describe, expect, it } from 'vitest';
import { compareEventIds, eventIdGenerator, isEventId } from './event-id.js';
import { MemoryEventBus } from './memory-bus.js';

describe('event ids', () => {
  it('increase within a millisecond and when the clock steps back', () => {
    const times = [5, 5, 5, 4, 6];
    const next = eventIdGenerator(() => times.shift() as number);
    const ids = [next(), next(), next(), next(), next()];
    expect(ids).toEqual(['5-0', '5-1', '5-2', '5-3', '6-0']);
    for (let i = 1; i < ids.length; i++) expect(compareEventIds(ids[i] as string, ids[i - 1] as string)).toBeGreaterThan(0);
  });

  it.each([['1-0', true], ['1700000000000-12', true], ['1', false], ['a-1', false], ['1-2-3', false]])('%s is an id: %s', (t, ok) => {
    expect(isEventId(t)).toBe(ok);
  });

  it('compares numerically, not as text', () => {
    expect(compareEventIds('10-0', '9-0')).toBeGreaterThan(0);
    expect(compareEventIds('9-10', '9-9')).toBeGreaterThan(0);
  });
});

describe('MemoryEventBus', () => {
  it('delivers every event to every listener in id order', async () => {
    const bus = new MemoryEventBus({ history: { maxEvents: 10, maxAgeMs: 1000 } });
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(`${e.topic}:${String(e.data)}`));
    await bus.publish({ topic: 'a', type: 't', data: 1 });
    await bus.publish({ topic: 'b', type: 't', data: 2 });
    expect(seen).toEqual(['a:1', 'b:2']);
  });

  it('keeps at most maxEvents per topic and reports a trimmed gap', async () => {
    const bus = new MemoryEventBus({ history: { maxEvents: 3, maxAgeMs: 60_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await bus.publish({ topic: 'a', type: 't', data: i })).id);
    await bus.publish({ topic: 'b', type: 't', data: 'b' });
    const fromStart = await bus.history('0-0', 'a', () => true);
    expect(fromStart.complete).toBe(false);
    expect(fromStart.events.map((e) => e.data)).toEqual([2, 3, 4]);
    const fromKept = await bus.history(ids[1] as string, 'a', () => true);
    expect(fromKept).toMatchObject({ complete: true });
    expect(fromKept.events.map((e) => e.data)).toEqual([2, 3, 4]);
    const both = await bus.history(ids[3] as string, undefined, (t) => t === 'a' || t === 'b');
    expect(both.events.map((e) => e.data)).toEqual([4, 'b']);
  });

  it('drops events older than maxAgeMs', async () => {
    let now = 1_000_000;
    const bus = new MemoryEventBus({ history: { maxEvents: 100, maxAgeMs: 1000 }, now: () => now });
    const first = await bus.publish({ topic: 'a', type: 't', data: 1 });
    now += 600;
    await bus.publish({ topic: 'a', type: 't', data: 2 });
    now += 600;
    const h = await bus.history('0-0', 'a', () => true);
    expect(h.events.map((e) => e.data)).toEqual([2]);
    expect(h.complete).toBe(false);
    expect((await bus.history(first.id, 'a', () => true)).complete).toBe(true);
  });

  it('forgets the least recently used topic past maxTopics, and reports resumes before it as incomplete', async () => {
    const bus = new MemoryEventBus({ history: { maxEvents: 10, maxAgeMs: 60_000 }, maxTopics: 2 });
    const a = await bus.publish({ topic: 'a', type: 't', data: 1 });
    await bus.publish({ topic: 'b', type: 't', data: 2 });
    await bus.publish({ topic: 'c', type: 't', data: 3 });
    expect((await bus.history('0-0', 'a', () => true)).complete).toBe(false);
    expect((await bus.history(a.id, 'a', () => true)).complete).toBe(true);
    expect((await bus.history('0-0', 'b', () => true)).events).toHaveLength(1);
  });
});
