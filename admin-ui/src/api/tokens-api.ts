/** The signed-in admin's personal access tokens (`/api/v1/tokens`): list, create (secret returned once), revoke. */
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { Answer } from './types';

/** A token as listed (no secret). */
export type PersonalAccessToken = Answer<'/api/v1/tokens', 'get'>['items'][number];
/** The create answer: the token with its secret, shown once. */
export type CreatedPersonalAccessToken = Answer<'/api/v1/tokens', 'post'>;

/** My live tokens (expired ones included, revoked ones not). */
export const tokensQuery = queryOptions({
  queryKey: ['tokens'],
  queryFn: async () => (await unwrap(api.GET('/api/v1/tokens'))).items,
});

/** Creates a token; without `expiresInDays` the API picks its default (90). */
export const createToken = (t: { name: string; expiresInDays?: number }) => unwrap(api.POST('/api/v1/tokens', { body: t }));

/** Revokes one of my tokens. */
export const revokeToken = (id: string) => unwrap(api.DELETE('/api/v1/tokens/{id}', { params: { path: { id } } }));
