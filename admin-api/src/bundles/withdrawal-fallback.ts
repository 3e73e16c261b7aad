/**
 * Revocation wins: when a service's policy does not compile, the credentials taken away since its last published
 * revision (revoked, expired or deleted keys, keys of disabled or deleted principals) are still withdrawn — the
 * publisher stores a new revision of the last published content with exactly those keys marked `disabled`. Nothing
 * else gets through (no new key, no re-enabled key, no policy change). Sidecar credentials need no bundle: their
 * revocation is checked by the control plane on every request. OAuth access tokens revoked since are added to the
 * content's `revokedTokens` the same way. A rollback applies the same withdrawal: re-publishing an old revision
 * never brings back a key or token revoked since.
 */
import { validateBundle, type PolicyBundle } from '@agentcore/policies';
import { readActiveApiKeys } from '../store/bundle-source-repo.js';
import { revokedAccessTokens } from '../store/oauth-tokens-repo.js';
import { getLatestRevision } from '../store/index.js';
import type { Queryable } from '../store/queryable.js';

/** A key as a published bundle holds it. */
export interface PublishedKey {
  id: string;
  sha256: string;
  disabled?: boolean;
}

/** `content` with every key that is no longer active and enabled in the store marked disabled, and whether any was. */
export async function withdrawKeys<C extends { authentication: { apiKeys: PublishedKey[] } }>(q: Queryable, service: string, content: C, now: number): Promise<{ content: C; changed: boolean }> {
  const current = new Map((await readActiveApiKeys(q, service, now)).map((k) => [k.id, k]));
  let changed = false;
  const apiKeys = content.authentication.apiKeys.map((k) => {
    if (k.disabled === true) return k; // once withdrawn, only a compiling policy brings a key back
    const cur = current.get(k.id);
    if (cur && !cur.disabled && cur.sha256 === k.sha256) return k;
    changed = true;
    return { ...k, disabled: true };
  });
  return { content: { ...content, authentication: { ...content.authentication, apiKeys } }, changed };
}

type RevokedList = { jti: string; exp: number }[];

/** `content` with every OAuth access token revoked in the store (and not expired) listed in `revokedTokens`, and whether one was added. */
export async function withdrawTokens<C extends { authentication: { revokedTokens?: RevokedList } }>(q: Queryable, service: string, content: C, now: number): Promise<{ content: C; changed: boolean }> {
  const listed = (content.authentication.revokedTokens ?? []).filter((t) => t.exp * 1000 > now);
  const known = new Set(listed.map((t) => t.jti));
  const added = (await revokedAccessTokens(q, service, now)).filter((t) => !known.has(t.jti));
  if (added.length === 0) return { content, changed: false };
  return { content: { ...content, authentication: { ...content.authentication, revokedTokens: [...listed, ...added] } }, changed: true };
}

/** The last published bundle of `service` with every withdrawn key marked disabled; undefined when nothing was withdrawn (or nothing is published). */
export async function withdrawalBundle(q: Queryable, service: string, now: number): Promise<PolicyBundle | undefined> {
  const latest = await getLatestRevision(q, service);
  if (!latest) return undefined;
  const { revision: _r, hash: _h, createdAt: _c, ...content } = JSON.parse(latest.content) as { authentication: { apiKeys: PublishedKey[]; revokedTokens?: RevokedList } } & Record<string, unknown>;
  const withdrawn = await withdrawKeys(q, service, content, now);
  const tokens = await withdrawTokens(q, service, withdrawn.content, now);
  if (!withdrawn.changed && !tokens.changed) return undefined;
  const checked = validateBundle({ ...tokens.content, revision: 0 });
  return checked.ok ? checked.bundle : undefined;
}
