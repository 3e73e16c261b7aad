/** Personal access tokens for automation: `/api/v1/tokens`. A token acts with its owner's current role. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AdminError, notFound } from '../errors.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { appendAuditEvent } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';
import { insertToken, listTokensOf, revokeToken, type PersonalAccessTokenRow } from '../store/admin-accounts-repo.js';
import { requestPath, type AuthDeps } from './auth-context.js';
import { newPersonalAccessToken, sha256Hex } from './credential-digest.js';

const DAY_MS = 86_400_000;
/** Expiry of a token when the request names none. */
export const DEFAULT_TOKEN_DAYS = 90;
const PREFIX_CHARS = 12;

const CreateTokenBody = z.object({
  name: z.string().trim().min(1).max(100).describe('what the token is for'),
  expiresInDays: z.int().min(1).max(365).optional().describe(`default ${DEFAULT_TOKEN_DAYS}`),
});

const TokenId = z.object({ id: z.string().regex(/^pat_[0-9a-f]{16}$/) });

const TokenInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe('the first characters of the token, to recognise it'),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'PersonalAccessToken' });

const CreatedToken = TokenInfo.extend({ token: z.string().describe('the secret, shown this once: send as Authorization: Bearer …') }).meta({ id: 'CreatedPersonalAccessToken' });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const view = (t: PersonalAccessTokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: new Date(Number(t.created_at)).toISOString(),
  expiresAt: iso(t.expires_at),
  lastUsedAt: iso(t.last_used_at),
});

const EXAMPLE = { id: 'pat_3f9c1a7be02d4c55', name: 'ci deploy', prefix: 'agc_pat_Xk3q', createdAt: '2025-01-01T12:00:00.000Z', expiresAt: '2025-04-01T12:00:00.000Z', lastUsedAt: null };

/** The personal access token endpoints. */
export function tokenEndpoints(d: AuthDeps): EndpointSpec<never, never, never>[] {
  const create = endpoint<Record<string, never>, Record<string, never>, z.infer<typeof CreateTokenBody>>({
    method: 'post',
    path: '/api/v1/tokens',
    operationId: 'createPersonalAccessToken',
    summary: 'Create a personal access token',
    description: 'Returns the token once; only its SHA-256 is stored. Needs a session: a token cannot mint tokens (that would outlive its expiry).',
    tags: ['auth'],
    access: 'authenticated',
    body: CreateTokenBody,
    bodyExample: { name: 'ci deploy', expiresInDays: 90 },
    responses: {
      201: { description: 'Created; `token` is not shown again', schema: CreatedToken, example: { ...EXAMPLE, token: 'agc_pat_Xk3q…' } },
      403: { description: 'Called with a token instead of a session' },
    },
    async handler({ req, body, actor }) {
      if (!actor) throw new Error('guard returned no actor for an authenticated endpoint');
      if (actor.via !== 'session') {
        await d.denials({ actor: actor.username, action: `${req.method} /api/v1/tokens`, path: requestPath(req), reason: 'TOKEN_CANNOT_MINT_TOKEN' });
        throw new AdminError('ADMIN_TOKEN_NEEDS_SESSION', 'personal access tokens are created from a console session, not with another token', { reason: 'TOKEN_CANNOT_MINT_TOKEN' });
      }
      const now = d.now();
      const token = newPersonalAccessToken();
      const expiresAt = now + (body.expiresInDays ?? DEFAULT_TOKEN_DAYS) * DAY_MS;
      const row = await inTransaction(d.store, async (trx) => {
        const r = await insertToken(
          trx,
          { id: `pat_${randomBytes(8).toString('hex')}`, username: actor.username, name: body.name, prefix: token.slice(0, PREFIX_CHARS), sha256: sha256Hex(token), expiresAt },
          now,
        );
        await appendAuditEvent(trx, { at: now, actor: actor.username, action: 'token.create', resourceType: 'personal-access-token', resourceId: r.id, after: view(r), outcome: 'allowed' });
        return r;
      });
      return { status: 201, body: { ...view(row), token } };
    },
  });

  const list = endpoint({
    method: 'get',
    path: '/api/v1/tokens',
    operationId: 'listPersonalAccessTokens',
    summary: 'List my personal access tokens',
    description: 'The caller’s tokens that are not revoked (expired ones included), without their secrets.',
    tags: ['auth'],
    access: 'authenticated',
    responses: { 200: { description: 'The tokens', schema: z.object({ items: z.array(TokenInfo) }), example: { items: [EXAMPLE] } } },
    async handler({ actor }) {
      if (!actor) throw new Error('guard returned no actor for an authenticated endpoint');
      return { body: { items: (await listTokensOf(d.store, actor.username)).map(view) } };
    },
  });

  const revoke = endpoint<z.infer<typeof TokenId>>({
    method: 'delete',
    path: '/api/v1/tokens/{id}',
    operationId: 'revokePersonalAccessToken',
    summary: 'Revoke one of my personal access tokens',
    description: 'Takes effect on the next request made with it.',
    tags: ['auth'],
    access: 'authenticated',
    params: TokenId,
    responses: { 204: { description: 'Revoked' }, 404: { description: 'No such live token of yours' } },
    async handler({ params, actor }) {
      if (!actor) throw new Error('guard returned no actor for an authenticated endpoint');
      const now = d.now();
      await inTransaction(d.store, async (trx) => {
        const r = await revokeToken(trx, actor.username, params.id, now);
        if (!r) throw notFound(`token ${params.id}`);
        await appendAuditEvent(trx, { at: now, actor: actor.username, action: 'token.revoke', resourceType: 'personal-access-token', resourceId: r.id, before: view(r), outcome: 'allowed' });
      });
      return { status: 204 };
    },
  });

  return [create, list, revoke] as EndpointSpec<never, never, never>[];
}
