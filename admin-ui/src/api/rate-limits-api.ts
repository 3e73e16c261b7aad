/** Rate limits and quotas of a service: list, one with its ETag, create, replace with If-Match, delete. */
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap, unwrapWithEtag } from './client';
import { listAll } from './list-all';
import type { Answer } from './types';

/** A stored rate limit (definition plus version). */
export type StoredRateLimit = Answer<'/api/v1/services/{service}/rate-limits', 'get'>['items'][number];
/** The `@agentcore/policies` RateLimit as the API stores it. */
export type RateLimitDefinition = StoredRateLimit['definition'];
/** What a create or replace sends (defaults may be left out). */
export type RateLimitInput = Omit<RateLimitDefinition, 'scope' | 'quotas' | 'algorithm'> & Partial<Pick<RateLimitDefinition, 'scope' | 'quotas' | 'algorithm'>>;

/** Rate limits of a service. */
export const rateLimitsQuery = (service: string) =>
  queryOptions({
    queryKey: ['services', service, 'rate-limits'],
    queryFn: () =>
      listAll((cursor) => unwrap(api.GET('/api/v1/services/{service}/rate-limits', { params: { path: { service }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }))),
  });

/** One rate limit with its ETag (what a conflicting save is compared against). */
export const fetchRateLimit = (service: string, id: string) => unwrapWithEtag(api.GET('/api/v1/services/{service}/rate-limits/{id}', { params: { path: { service, id } } }));

/** Creates a rate limit. */
export const createRateLimit = (service: string, definition: RateLimitInput) =>
  unwrap(api.POST('/api/v1/services/{service}/rate-limits', { params: { path: { service } }, body: definition as RateLimitDefinition }));

/** Replaces a rate limit if it is still at `etag`; a 412 means someone else changed it. */
export const saveRateLimit = (service: string, definition: RateLimitInput, etag: string) =>
  unwrapWithEtag(
    api.PUT('/api/v1/services/{service}/rate-limits/{id}', { params: { path: { service, id: definition.id } }, headers: { 'if-match': etag }, body: definition as RateLimitDefinition }),
  );

/** Deletes a rate limit at `etag`; `cascade` also removes it from the routes that refer to it. */
export const deleteRateLimit = (service: string, id: string, etag: string, cascade: boolean) =>
  unwrap(
    api.DELETE('/api/v1/services/{service}/rate-limits/{id}', {
      params: { path: { service, id }, query: cascade ? { cascade: 'true' } : {} },
      headers: { 'if-match': etag },
    }),
  );
