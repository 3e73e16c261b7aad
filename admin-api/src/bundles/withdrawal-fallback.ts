/**
 * Revocation wins: when a service's policy does not compile, the credentials taken away since its last published
 * revision (revoked, expired or deleted keys, keys of disabled or deleted principals) are still withdrawn — the
 * publisher stores a new revision of the last published content with exactly those keys marked `disabled`. Nothing
 * else gets through (no new key, no re-enabled key, no policy change). Sidecar credentials need no bundle: their
 * revocation is checked by the control plane on every request. OAuth tokens, when they land, add their revocation
 * list here (a `withdrawn` set of token ids applied to the last good content the same way). A rollback applies
 * the same withdrawal: re-publishing an old revision never brings back a key revoked since.
 */
import { validateBundle, type PolicyBundle } from '@agentcore/policies';
import { readActiveApiKeys } from '../store/bundle-source-repo.js';
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

/** The last published bundle of `service` with every withdrawn key marked disabled; undefined when nothing was withdrawn (or nothing is published). */
export async function withdrawalBundle(q: Queryable, service: string, now: number): Promise<PolicyBundle | undefined> {
  const latest = await getLatestRevision(q, service);
  if (!latest) return undefined;
  const { revision: _r, hash: _h, createdAt: _c, ...content } = JSON.parse(latest.content) as { authentication: { apiKeys: PublishedKey[] } } & Record<string, unknown>;
  const withdrawn = await withdrawKeys(q, service, content, now);
  if (!withdrawn.changed) return undefined;
  const checked = validateBundle({ ...withdrawn.content, revision: 0 });
  return checked.ok ? checked.bundle : undefined;
}
