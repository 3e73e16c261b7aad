/** /api/v1/oauth/signing-keys: see the token signing keys (public parts) and rotate them. */
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { actorOf } from '../resources/audited-change.js';
import { isoTime } from '../resources/list-query.js';
import { appendAuditEvent, type Store } from '../store/index.js';
import { listOAuthClients } from '../store/oauth-clients-repo.js';
import { publishedOAuthKeys } from '../store/oauth-keys-repo.js';
import type { Actor } from '../auth/admin-roles.js';
import type { SigningKeys } from './signing-keys.js';

const KeyView = z.object({ kid: z.string(), alg: z.string(), createdAt: z.string(), activatesAt: z.string(), expiresAt: z.string().nullable() });
const Rotate = z.strictObject({ publishDelaySeconds: z.int().min(0).max(86400).default(60).describe('the new key is published this long before it signs (bundles reach sidecars within seconds)') });

/** The signing-key endpoints. */
export function signingKeyEndpoints(d: { store: Store; keys: SigningKeys; now: () => number; onPolicyChange(service: string, actor: Actor): void }): EndpointSpec<never, never, never>[] {
  const view = (k: Awaited<ReturnType<typeof publishedOAuthKeys>>[number]) => ({ kid: k.kid, alg: k.alg, createdAt: isoTime(Number(k.created_at)), activatesAt: isoTime(Number(k.activates_at)), expiresAt: k.expires_at === null ? null : isoTime(Number(k.expires_at)) });
  return [
    endpoint({
      method: 'get', path: '/api/v1/oauth/signing-keys', operationId: 'listOAuthSigningKeys', summary: 'The published token signing keys', tags: ['oauth'], access: 'read',
      responses: { 200: { description: 'published keys, oldest first', schema: z.object({ items: z.array(KeyView) }) } },
      async handler() {
        await d.keys.jwks();
        return { body: { items: (await publishedOAuthKeys(d.store, d.now())).map(view) } };
      },
    }),
    endpoint({
      method: 'post', path: '/api/v1/oauth/signing-keys/rotate', operationId: 'rotateOAuthSigningKey', summary: 'Create the next signing key: published now, signing after the delay; the old one stays published until its tokens expire', tags: ['oauth'], access: 'admin:manage',
      body: Rotate, bodyExample: { publishDelaySeconds: 60 },
      responses: { 201: { description: 'the new key', schema: KeyView } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const row = await d.keys.rotate(ctx.body.publishDelaySeconds * 1000);
        await appendAuditEvent(d.store, { actor: actor.username, action: 'oauth-signing-key.rotate', resourceType: 'oauth-signing-key', resourceId: row.kid, before: null, after: view(row), outcome: 'allowed' });
        const services = new Set((await listOAuthClients(d.store)).flatMap((c) => c.audiences));
        for (const s of services) d.onPolicyChange(s, actor);
        return { status: 201, body: view(row) };
      },
    }),
  ] as EndpointSpec<never, never, never>[];
}
