/** Admin endpoints of per-service sidecar credentials: create (token shown once), list (no secrets), revoke. */
import { z } from 'zod';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import type { CredentialRevocations } from './credential-revocations.js';
import { actorOf } from '../resources/audited-change.js';
import { appendAuditEvent, getService, type Store } from '../store/index.js';
import { inTransaction } from '../store/queryable.js';
import { createSidecarCredential, listSidecarCredentials, revokeSidecarCredential, type SidecarCredential } from '../store/sidecar-credentials-repo.js';

const ServiceParams = z.object({ service: z.string().min(1).max(63) });
const CredentialParams = ServiceParams.extend({ id: z.string().min(1).max(64) });
const NewCredential = z.strictObject({ name: z.string().trim().min(1).max(128) });

const CredentialView = z.object({
  id: z.string(),
  service: z.string(),
  name: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const view = (c: SidecarCredential) => ({ id: c.id, service: c.service, name: c.name, createdAt: iso(c.createdAt)!, revokedAt: iso(c.revokedAt), lastUsedAt: iso(c.lastUsedAt) });

const tags = ['Sidecars'];

/** The sidecar-credential endpoints ('platform:write'). */
export function sidecarCredentialEndpoints(deps: { store: Store; revocations: CredentialRevocations }): EndpointSpec<never, never, never>[] {
  const { store, revocations } = deps;
  const list = [
    endpoint({
      method: 'post',
      path: '/api/v1/services/{service}/sidecar-credentials',
      operationId: 'createSidecarCredential',
      summary: 'Create a sidecar credential; the token is in this answer only',
      tags,
      access: 'platform:write',
      params: ServiceParams,
      body: NewCredential,
      bodyExample: { name: 'orders-prod' },
      responses: {
        201: { description: 'the credential and its token (prefix agc_sc_), never shown again', schema: CredentialView.extend({ token: z.string() }) },
        404: { description: 'no such service' },
      },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const made = await inTransaction(store, async (trx) => {
          const m = await createSidecarCredential(trx, ctx.params.service, ctx.body.name);
          await appendAuditEvent(trx, { actor: actor.username, outcome: 'allowed', action: 'sidecar-credential.create', resourceType: 'sidecar-credential', resourceId: m.credential.id, before: null, after: view(m.credential) });
          return m;
        });
        return { status: 201, body: { ...view(made.credential), token: made.token }, headers: { location: `/api/v1/services/${encodeURIComponent(ctx.params.service)}/sidecar-credentials/${made.credential.id}` } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/services/{service}/sidecar-credentials',
      operationId: 'listSidecarCredentials',
      summary: 'The sidecar credentials of a service (no secrets), newest first',
      tags,
      access: 'platform:write',
      params: ServiceParams,
      responses: { 200: { description: 'the credentials', schema: z.object({ items: z.array(CredentialView) }) }, 404: { description: 'no such service' } },
      async handler({ params }) {
        await getService(store, params.service);
        return { body: { items: (await listSidecarCredentials(store, params.service)).map(view) } };
      },
    }),
    endpoint({
      method: 'delete',
      path: '/api/v1/services/{service}/sidecar-credentials/{id}',
      operationId: 'revokeSidecarCredential',
      summary: 'Revoke a sidecar credential (its sidecars get 401 from the next request on; a long-poll already waiting ends with 401)',
      tags,
      access: 'platform:write',
      params: CredentialParams,
      responses: { 204: { description: 'revoked' }, 404: { description: 'no such credential' } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        await inTransaction(store, async (trx) => {
          const c = await revokeSidecarCredential(trx, ctx.params.service, ctx.params.id);
          await appendAuditEvent(trx, { actor: actor.username, outcome: 'allowed', action: 'sidecar-credential.revoke', resourceType: 'sidecar-credential', resourceId: c.id, before: null, after: view(c) });
        });
        revocations.revoked(ctx.params.service); // long-polls of this service waiting here re-check their credential now
        return { status: 204 };
      },
    }),
  ];
  return list as unknown as EndpointSpec<never, never, never>[];
}
