/** The access-log results as a virtualised table (@tanstack/react-virtual): only visible rows are in the DOM, pages load as you scroll. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { AccessLogRecord } from '../../api/types';

const ROW = 28;
const COLUMNS = ['Time', 'Service', 'Method', 'Path', 'Status', 'Decision', 'Reason', 'Principal', 'Latency'];

export interface AccessLogTableProps {
  rows: readonly AccessLogRecord[];
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/** Renders `rows`; asks for the next page when the last loaded rows come into view. */
export function AccessLogTable({ rows, hasMore, loadingMore, loadMore }: AccessLogTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 15 });
  const items = v.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= rows.length - 50) loadMore();
  }, [hasMore, loadingMore, lastIndex, rows.length, loadMore]);
  return (
    <div ref={scroller} className="vtable" role="table" aria-label="Access-log records" aria-rowcount={rows.length + 1} tabIndex={0} data-testid="access-log-table">
      <div role="rowgroup">
        <div className="vhead" role="row" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <span role="columnheader" key={c}>
              {c}
            </span>
          ))}
        </div>
      </div>
      <div role="rowgroup" style={{ height: v.getTotalSize(), position: 'relative' }}>
        {items.map((it) => {
          const r = rows[it.index]!;
          return (
            <div key={r.id} className="vrow" role="row" aria-rowindex={it.index + 2} style={{ transform: `translateY(${it.start}px)` }} data-record-id={r.id}>
              <span role="cell">{new Date(r.at).toLocaleString()}</span>
              <span role="cell">{r.service}</span>
              <span role="cell">{r.method}</span>
              <span role="cell" className="mono" title={r.path}>
                {r.path}
              </span>
              <span role="cell">{r.status}</span>
              <span role="cell">{r.decision}</span>
              <span role="cell">{r.reason ?? ''}</span>
              <span role="cell">{r.principal ?? ''}</span>
              <span role="cell">{r.latencyMs != null ? `${r.latencyMs} ms` : ''}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
