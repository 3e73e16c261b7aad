import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useLiveTail } from './use-live-tail';

/** Stands in for the browser's EventSource (jsdom has none); the admin API side is tested in admin-api. */
class FakeEventSource {
  static last: FakeEventSource | undefined;
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  private listeners: ((e: { data: string }) => void)[] = [];
  constructor(readonly url: string) {
    FakeEventSource.last = this;
  }
  addEventListener(_type: string, l: (e: { data: string }) => void) {
    this.listeners.push(l);
  }
  close() {
    this.closed = true;
  }
  emit(id: number) {
    for (const l of this.listeners) l({ data: JSON.stringify({ id, at: '2030-01-01T00:00:00Z', service: 'agents', method: 'GET', path: `/p/${id}`, status: 200, decision: 'allow' }) });
  }
}

describe('useLiveTail', () => {
  it('subscribes with the filter, shows newest first, holds records while paused and shows them on resume', () => {
    vi.stubGlobal('EventSource', FakeEventSource);
    const { result, rerender } = renderHook(({ paused, decision }) => useLiveTail({ service: 'agents', decision }, paused), { initialProps: { paused: false, decision: 'deny' } });
    const es = FakeEventSource.last!;
    expect(es.url).toBe('/api/v1/access-logs/live?service=agents&decision=deny');
    expect(result.current.state).toBe('connecting');
    act(() => es.onopen!());
    expect(result.current.state).toBe('live');
    act(() => {
      es.emit(1);
      es.emit(2);
    });
    expect(result.current.records.map((r) => r.id)).toEqual([2, 1]);

    rerender({ paused: true, decision: 'deny' });
    act(() => {
      es.emit(3);
      es.emit(4);
    });
    expect(result.current.records.map((r) => r.id)).toEqual([2, 1]);
    expect(result.current.waiting).toBe(2);
    rerender({ paused: false, decision: 'deny' });
    expect(result.current.records.map((r) => r.id)).toEqual([4, 3, 2, 1]);
    expect(result.current.waiting).toBe(0);

    act(() => es.onerror!());
    expect(result.current.state).toBe('reconnecting');
    rerender({ paused: false, decision: '' });
    expect(es.closed).toBe(true);
    expect(FakeEventSource.last!.url).toBe('/api/v1/access-logs/live?service=agents');
    expect(result.current.records).toEqual([]);
  });
});
