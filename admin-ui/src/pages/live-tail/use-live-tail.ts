/** Subscribes to the live tail (EventSource, which reconnects by itself and resumes with Last-Event-ID); pausable. */
import { useEffect, useRef, useState } from 'react';
import { liveTailUrl, type LiveTailFilter } from '../../api/logs-api';
import type { AccessLogRecord } from '../../api/types';

/** Newest first, at most this many kept. */
export const LIVE_TAIL_MAX = 500;

export type LiveTailState = 'connecting' | 'live' | 'reconnecting';

/** The records received for `filter`; while paused, new ones wait in a buffer and show on resume. */
export function useLiveTail(filter: LiveTailFilter, paused: boolean) {
  const [records, setRecords] = useState<AccessLogRecord[]>([]);
  const [state, setState] = useState<LiveTailState>('connecting');
  const buffer = useRef<AccessLogRecord[]>([]);
  const [waiting, setWaiting] = useState(0);
  const pausedRef = useRef(paused);
  useEffect(() => {
    pausedRef.current = paused;
  }, [paused]);
  const url = liveTailUrl(filter);

  useEffect(() => {
    setRecords([]);
    buffer.current = [];
    setWaiting(0);
    setState('connecting');
    const es = new EventSource(url, { withCredentials: true });
    es.onopen = () => setState('live');
    es.onerror = () => setState('reconnecting');
    es.addEventListener('access', (e) => {
      const r = JSON.parse((e as MessageEvent<string>).data) as AccessLogRecord;
      if (pausedRef.current) {
        buffer.current.push(r);
        setWaiting(buffer.current.length);
      } else setRecords((old) => [r, ...old].slice(0, LIVE_TAIL_MAX));
    });
    return () => es.close();
  }, [url]);

  useEffect(() => {
    if (paused || buffer.current.length === 0) return;
    const held = buffer.current.reverse();
    buffer.current = [];
    setWaiting(0);
    setRecords((old) => [...held, ...old].slice(0, LIVE_TAIL_MAX));
  }, [paused]);

  return { records, state, waiting, clear: () => setRecords([]) };
}
