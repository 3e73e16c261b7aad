/** Bundle revisions, their diff and rollback, and the fleet of sidecars. */
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';

/** Published revisions of a service, newest first. */
export const revisionsQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'revisions'],
    queryFn: () => unwrap(api.GET('/api/v1/services/{service}/revisions', { params: { path: { service }, query: { limit: 200 } } })),
  });

/** The changes between two revisions. */
export const revisionDiffQuery = (service: string, from: number, to: number) =>
  queryOptions({
    queryKey: ['services', service, 'revisions', 'diff', from, to],
    queryFn: () => unwrap(api.GET('/api/v1/services/{service}/revisions/{from}/diff/{to}', { params: { path: { service, from, to } } })),
    staleTime: Infinity,
  });

/** The full bundle of one revision (the simulator evaluates it). */
export const revisionQuery = (service: string, revision: number) =>
  queryOptions({
    queryKey: ['services', service, 'revisions', revision],
    queryFn: () => unwrap(api.GET('/api/v1/services/{service}/revisions/{revision}', { params: { path: { service, revision } } })),
    staleTime: Infinity,
  });

/** Publishes `revision`'s content again as a new revision. */
export const rollbackTo = (service: string, revision: number) =>
  unwrap(api.POST('/api/v1/services/{service}/revisions/{revision}/rollback', { params: { path: { service, revision } } }));

/** Sidecars that reported for a service, refreshed every few seconds. */
export const fleetQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'sidecars'],
    queryFn: () => unwrap(api.GET('/api/v1/sidecars', { params: { query: { service } } })).then((r) => r.items),
    refetchInterval: 2000,
  });
