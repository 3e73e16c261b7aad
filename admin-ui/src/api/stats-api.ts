/** Access-log stats (GET /api/v1/access-logs/stats): the Overview page's charts and breakdown. */
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { Answer } from './types';

export type AccessLogStats = Answer<'/api/v1/access-logs/stats', 'get'>;
export type StatsGroup = AccessLogStats['groups'][number];
export type StatsPoint = StatsGroup['points'][number];
export type StatsBucket = '1m' | '5m' | '15m' | '1h' | '6h' | '1d';

/** What the Overview asks for; empty service/route mean "all". */
export interface StatsRequest {
  from: number;
  to: number;
  bucket: StatsBucket;
  service: string;
  route: string;
  groupBy: 'none' | 'service' | 'route';
}

/** The stats of `r` (hierarchical key under access-logs, so log queries and stats share a prefix). */
export const accessLogStatsQuery = (r: StatsRequest) => {
  const query = {
    from: String(r.from),
    to: String(r.to),
    bucket: r.bucket,
    groupBy: r.groupBy,
    ...(r.service ? { service: r.service } : {}),
    ...(r.route ? { route: r.route } : {}),
  };
  return queryOptions({
    queryKey: ['access-logs', 'stats', query],
    queryFn: () => unwrap(api.GET('/api/v1/access-logs/stats', { params: { query } })),
  });
};
