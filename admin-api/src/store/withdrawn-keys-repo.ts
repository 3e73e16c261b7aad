/**
 * Recently withdrawn API keys as bundle entries the sidecar refuses with the right reason: a key revoked in the last
 * WITHDRAWN_KEY_MEMORY_DAYS stays in the bundle as its hash, without roles or scopes, `disabled` and with `revokedAt`
 * (→ API_KEY_REVOKED); a key that expired in that window stays with its past `expiresAt` (→ API_KEY_EXPIRED).
 * Older ones leave the bundle (→ UNKNOWN_API_KEY). Only a caller presenting that exact key ever sees the difference,
 * so it tells someone guessing keys nothing (docs/admin-api.md, "Refused API keys").
 */
import { ApiKey } from '@agentcore/policies';
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';

/** How long a revoked or expired key is still named as such by sidecars. */
export const WITHDRAWN_KEY_MEMORY_DAYS = 7;
const WINDOW_MS = WITHDRAWN_KEY_MEMORY_DAYS * 86_400_000;

/** The bundle entries of `service`'s keys revoked or expired within the window before `now`, by id. */
export async function readRecentlyWithdrawnKeys(q: Queryable, service: string, now: number): Promise<ApiKey[]> {
  const since = now - WINDOW_MS;
  const rows = await withStoreErrors(`withdrawn API keys of "${service}"`, () =>
    dbOf(q)
      .selectFrom('api_keys')
      .select(['id', 'sha256', 'principal', 'expires_at', 'revoked_at'])
      .where('service', '=', service)
      .where((eb) =>
        eb.or([
          eb.and([eb('revoked_at', 'is not', null), eb('revoked_at', '>=', since)]),
          eb.and([eb('revoked_at', 'is', null), eb('expires_at', 'is not', null), eb('expires_at', '<=', now), eb('expires_at', '>=', since)]),
        ]),
      )
      .orderBy('id')
      .execute(),
  );
  return rows.map((r) =>
    ApiKey.parse(
      r.revoked_at !== null
        ? { id: r.id, sha256: r.sha256, principal: r.principal, disabled: true, revokedAt: new Date(Number(r.revoked_at)).toISOString() }
        : { id: r.id, sha256: r.sha256, principal: r.principal, expiresAt: new Date(Number(r.expires_at)).toISOString() },
    ),
  );
}
