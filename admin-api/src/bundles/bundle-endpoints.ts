/**
 * Revision history, diff, publish and rollback of a service's bundle; signing-key rotation and the public JWKS
 * sidecars trust.
 */
import { z } from 'zod';
import { actorOf } from '../resources/audited-change.js';
import { endpoint, type EndpointSpec } from '../http/endpoint.js';
import { appendAuditEvent, getPublishStatus, getRevision, getService, listRevisions, type Store } from '../store/index.js';
import { diffJson } from './bundle-diff.js';
import { publicJwks } from '@agentcore/policies';
import type { BundlePublisher, PublishResult } from './bundle-publisher.js';
import { listSigningKeys, rotateSigningKey } from '../store/signing-keys-repo.js';
import type { KeyRing } from '../secrets/envelope.js';

const ServiceParams = z.object({ service: z.string().min(1).max(63) });
const RevisionNumber = z.coerce.number().int().min(1).max(2 ** 31);
const RevisionParams = ServiceParams.extend({ revision: RevisionNumber });
const DiffParams = ServiceParams.extend({ from: RevisionNumber, to: RevisionNumber });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), cursor: z.string().max(512).optional() });

const RevisionSummary = z.object({ revision: z.int(), hash: z.string(), createdAt: z.string(), createdBy: z.string() });
const PublishAnswer = z.object({ revision: z.int(), hash: z.string(), unchanged: z.boolean() });
const DiffEntrySchema = z.object({ op: z.enum(['added', 'removed', 'changed']), path: z.string(), before: z.unknown().optional(), after: z.unknown().optional() });
const Jwks = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });

const iso = (ms: number): string => new Date(ms).toISOString();
/** Fields that differ between any two revisions and say nothing about the policy. */
const META = ['revision', 'hash', 'createdAt'];
const policyOf = (content: string): Record<string, unknown> => {
  const parsed = JSON.parse(content) as Record<string, unknown>;
  for (const k of META) delete parsed[k];
  return parsed;
};

const published = (r: PublishResult) =>
  'unchanged' in r ? { status: 200, body: { revision: r.revision, hash: r.hash, unchanged: true } } : { status: 201, body: { revision: r.revision, hash: r.hash, unchanged: false } };

const tags = ['Bundles'];

/** The bundle endpoints of the admin API. */
// Declarative endpoint list (exempt from the 80-line function rule): one endpoint() declaration per route.
export function bundleEndpoints(deps: { store: Store; keyRing: KeyRing | undefined; publisher: BundlePublisher }): EndpointSpec<never, never, never>[] {
  const { store, keyRing, publisher } = deps;
  const list = [
    endpoint({
      method: 'get',
      path: '/api/v1/services/{service}/revisions',
      operationId: 'listRevisions',
      summary: 'Bundle revisions of a service, newest first',
      description: '`lastPublishFailure` is set while the latest publish attempt failed (kept in the store; see `GET /api/v1/services/{service}/bundle-status`): the last good revision stays published.',
      tags,
      access: 'read',
      params: ServiceParams,
      query: ListQuery,
      responses: {
        200: {
          description: 'a page of revisions',
          schema: z.object({ items: z.array(RevisionSummary), nextCursor: z.string().nullable(), lastPublishFailure: z.unknown().nullable() }),
        },
        404: { description: 'no such service' },
      },
      async handler({ params, query }) {
        await getService(store, params.service);
        const page = await listRevisions(store, params.service, { limit: query.limit, cursor: query.cursor ?? null });
        const failure = (await getPublishStatus(store, params.service))?.lastFailure;
        return {
          body: {
            items: page.items.map((r) => ({ revision: r.revision, hash: r.hash, createdAt: iso(r.createdAt), createdBy: r.createdBy })),
            nextCursor: page.nextCursor,
            lastPublishFailure: failure ? { at: iso(failure.at), code: failure.code, message: failure.message, issues: failure.issues } : null,
          },
        };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/services/{service}/revisions/{revision}',
      operationId: 'getRevision',
      summary: 'One bundle revision: its content and its signed form (compact JWS)',
      tags,
      access: 'read',
      params: RevisionParams,
      responses: {
        200: { description: 'the revision', schema: RevisionSummary.extend({ content: z.record(z.string(), z.unknown()), signature: z.string() }) },
        404: { description: 'no such service or revision' },
      },
      async handler({ params }) {
        const r = await getRevision(store, params.service, params.revision);
        return {
          body: { revision: r.revision, hash: r.hash, createdAt: iso(r.createdAt), createdBy: r.createdBy, content: JSON.parse(r.content) as unknown, signature: r.signature },
        };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/services/{service}/revisions/{from}/diff/{to}',
      operationId: 'diffRevisions',
      summary: 'What changed from one revision to another',
      description: 'Paths are JSON pointers into the bundle; arrays of objects with an `id` or `name` are matched by it. `revision`, `hash` and `createdAt` are left out.',
      tags,
      access: 'read',
      params: DiffParams,
      responses: {
        200: { description: 'the differences', schema: z.object({ from: z.int(), to: z.int(), changes: z.array(DiffEntrySchema) }) },
        404: { description: 'no such service or revision' },
      },
      async handler({ params }) {
        const [a, b] = await Promise.all([getRevision(store, params.service, params.from), getRevision(store, params.service, params.to)]);
        return { body: { from: a.revision, to: b.revision, changes: diffJson(policyOf(a.content), policyOf(b.content)) } };
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/services/{service}/publish',
      operationId: 'publishBundle',
      summary: 'Compile, sign and publish the service\'s bundle now',
      description: '201 with the new revision; 200 `unchanged: true` when the content equals the latest revision; 400 ADMIN_POLICY_INVALID with the issue paths when the policy does not compile.',
      tags,
      access: 'platform:write',
      params: ServiceParams,
      responses: {
        201: { description: 'a new revision', schema: PublishAnswer },
        200: { description: 'nothing changed', schema: PublishAnswer },
        400: { description: 'the policy does not compile to a valid bundle (ADMIN_POLICY_INVALID)' },
        404: { description: 'no such service' },
      },
      async handler(ctx) {
        const actor = actorOf(ctx);
        return published(await publisher.publish(ctx.params.service, actor.username));
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/services/{service}/revisions/{revision}/rollback',
      operationId: 'rollbackBundle',
      summary: 'Publish an old revision\'s content as a new revision',
      description: 'Sidecars never accept a lower revision, so a rollback is a new, higher revision with the old content. The store is not changed: the next policy change recompiles from it.',
      tags,
      access: 'platform:write',
      params: RevisionParams,
      responses: {
        201: { description: 'the new revision', schema: PublishAnswer },
        200: { description: 'the latest revision already has this content', schema: PublishAnswer },
        404: { description: 'no such service or revision' },
      },
      async handler(ctx) {
        const actor = actorOf(ctx);
        return published(await publisher.rollback(ctx.params.service, ctx.params.revision, actor.username));
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/signing-keys',
      operationId: 'listSigningKeys',
      summary: 'Bundle-signing keys (public halves), the active one first',
      tags,
      access: 'read',
      responses: { 200: { description: 'the keys', schema: z.object({ items: z.array(z.object({ kid: z.string(), alg: z.string(), createdAt: z.string(), retiredAt: z.string().nullable() })) }) } },
      async handler() {
        const keys = await listSigningKeys(store, keyRing);
        return { body: { items: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: k.createdAt, retiredAt: k.retiredAt ?? null })) } };
      },
    }),
    endpoint({
      method: 'post',
      path: '/api/v1/signing-keys/rotate',
      operationId: 'rotateSigningKey',
      summary: 'Make a new active bundle-signing key; the old ones stay published in the JWKS',
      description: 'The next published revision is signed with the new key. Sidecars using `--trust-jwks-url` fetch the new key when they meet its kid.',
      tags,
      access: 'admin:manage',
      responses: { 201: { description: 'the new key', schema: z.object({ kid: z.string(), alg: z.string(), createdAt: z.string(), retired: z.array(z.string()) }) } },
      async handler(ctx) {
        const actor = actorOf(ctx);
        const { key, retired } = await rotateSigningKey(store, keyRing);
        await appendAuditEvent(store, { actor: actor.username, outcome: 'allowed', action: 'signing-key.rotate', resourceType: 'signing-key', resourceId: key.kid, before: { active: retired }, after: { active: key.kid } });
        return { status: 201, body: { kid: key.kid, alg: key.alg, createdAt: key.createdAt, retired } };
      },
    }),
    endpoint({
      method: 'get',
      path: '/api/v1/sidecar/jwks',
      operationId: 'bundleSigningJwks',
      summary: 'The JWK Set (RFC 7517) of every bundle-signing key, retired ones included',
      tags,
      access: 'public',
      responses: { 200: { description: 'the JWK Set', schema: Jwks, contentType: 'application/jwk-set+json' } },
      async handler({ res }) {
        const jwks = publicJwks(await listSigningKeys(store, keyRing));
        res.status(200).type('application/jwk-set+json').send(JSON.stringify(jwks));
        return undefined;
      },
    }),
  ];
  return list as unknown as EndpointSpec<never, never, never>[];
}
