/** The access-log results as a virtualised table (@tanstack/react-virtual): only visible rows are in the DOM, pages load as you scroll. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef } from 'react';
import type { AccessLogRecord } from '../../api/types';

const ROW = 28;
/** One formatter for every row: `Date#toLocaleString` builds a new one per call, too slow at scrolling speed. */
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });

/** One row; memoised so a scroll re-renders only the rows that come into view. */
const Row = memo(function Row({ r, index, start }: { r: AccessLogRecord; index: number; start: number }) {
  return (
    <div className="vrow" role="row" aria-rowindex={index + 2} style={{ transform: `translateY(${start}px)` }} data-record-id={r.id}>
      <span role="cell">{TIME.format(new Date(r.at))}</span>
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
});
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
        {items.map((it) => (
          <Row key={rows[it.index]!.id} r={rows[it.index]!} index={it.index} start={it.start} />
        ))}
      </div>
    </div>
  );
}
