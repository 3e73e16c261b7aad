/** Auditor: access-log search in a virtualised table, and a streamed CSV/NDJSON export of exactly the applied filter. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { accessLogExportUrl, accessLogsQuery, EMPTY_ACCESS_LOG_FILTER, type AccessLogFilter } from '../api/logs-api';
import { ErrorAlert } from '../components/query-state';
import { AccessLogFilterForm } from './access-logs/access-log-filter-form';
import { AccessLogTable } from './access-logs/access-log-table';

/** The page. */
export default function AccessLogsPage() {
  const [filter, setFilter] = useState<AccessLogFilter>(EMPTY_ACCESS_LOG_FILTER);
  const q = useInfiniteQuery(accessLogsQuery(filter));
  const rows = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const { fetchNextPage } = q;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  return (
    <>
      <h1>Access logs</h1>
      <AccessLogFilterForm onApply={setFilter} error={q.error} />
      <div className="row">
        <p role="status" data-testid="access-log-count">
          {q.isPending ? 'Searching…' : `${rows.length}${q.hasNextPage ? '+' : ''} records`}
        </p>
        <a className="button" href={accessLogExportUrl(filter, 'csv')} download="access-logs.csv">
          Export CSV
        </a>
        <a className="button" href={accessLogExportUrl(filter, 'ndjson')} download="access-logs.ndjson">
          Export NDJSON
        </a>
      </div>
      {q.error && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} />}
      {!q.isPending && !q.error && rows.length === 0 && <p className="hint">No records match this filter.</p>}
      {rows.length > 0 && <AccessLogTable rows={rows} hasMore={!!q.hasNextPage} loadingMore={q.isFetchingNextPage} loadMore={loadMore} />}
    </>
  );
}
