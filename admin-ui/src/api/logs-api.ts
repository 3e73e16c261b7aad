/** Access-log search (paged by cursor), its streamed export URL, and the admin audit trail. */
import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { AccessLogRecord } from './types';

/** The access-log filter the console edits; empty strings mean "any". */
export interface AccessLogFilter {
  from: string;
  to: string;
  service: string;
  principal: string;
  route: string;
  status: string;
  decision: string;
  /** reason codes, comma-separated (records with any of them) */
  reason: string;
  apiKey: string;
  requestId: string;
}

export const EMPTY_ACCESS_LOG_FILTER: AccessLogFilter = { from: '', to: '', service: '', principal: '', route: '', status: '', decision: '', reason: '', apiKey: '', requestId: '' };

/** Reason codes as the API takes them: comma-separated, spaces dropped (` A, B ` → `A,B`). */
export const normaliseReasons = (s: string): string =>
  s
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .join(',');

/** The filter as the API's query parameters, leaving out empty fields. */
export function accessLogParams(f: AccessLogFilter): Record<string, string> {
  const wire: Record<string, string> = {
    from: f.from,
    to: f.to,
    service: f.service,
    principal: f.principal,
    route: f.route,
    status: f.status,
    decision: f.decision,
    reason: normaliseReasons(f.reason),
    apiKey: f.apiKey,
    requestId: f.requestId,
  };
  return Object.fromEntries(Object.entries(wire).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
}

/** The streamed export of exactly `f` (the browser downloads it; nothing is built in memory here). */
export function accessLogExportUrl(f: AccessLogFilter, format: 'csv' | 'ndjson'): string {
  return `/api/v1/access-logs/export?${new URLSearchParams({ ...accessLogParams(f), format }).toString()}`;
}

const PAGE = 1000;

/** Access-log pages matching `f`, newest first. */
export const accessLogsQuery = (f: AccessLogFilter) =>
  infiniteQueryOptions({
    queryKey: ['access-logs', accessLogParams(f)],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/access-logs', { params: { query: { ...accessLogParams(f), limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } as never } })),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

/** The audit-trail filter. */
export interface AuditFilter {
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string;
}

/** Audit events matching `f`, newest first. */
export const auditEventsQuery = (f: AuditFilter) => {
  const wire = Object.fromEntries(
    Object.entries({ actor: f.actor, action: f.action, resourceType: f.resourceType, resourceId: f.resourceId }).filter(([, v]) => v.trim() !== ''),
  );
  return infiniteQueryOptions({
    queryKey: ['audit-events', wire],
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/audit-events', { params: { query: { ...wire, limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } as never } })),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
};

/** The live-tail filter. */
export interface LiveTailFilter {
  service: string;
  decision: string;
}

/** The server-sent-events URL of the live tail for `f` (an EventSource subscribes to it; not a query). */
export function liveTailUrl(f: LiveTailFilter): string {
  const q = new URLSearchParams(Object.entries(f).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
  return `/api/v1/access-logs/live${q.size ? `?${q.toString()}` : ''}`;
}

/** The last `n` access-log records of `service`, newest first, fetched in 1,000-record pages (the impact preview replays them). */
export const recentAccessLogsQuery = (service: string, n: number) =>
  queryOptions({
    queryKey: ['access-logs', 'recent', service, n],
    queryFn: async () => {
      const items: AccessLogRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await unwrap(api.GET('/api/v1/access-logs', { params: { query: { service, limit: Math.min(PAGE, n - items.length), ...(cursor ? { cursor } : {}) } as never } }));
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < n);
      return items;
    },
  });
