/** Pending SSO logins (state → PKCE verifier, nonce, return path), shared by replicas and single-use. */
import type { Selectable } from 'kysely';
import { identityDb, type SsoLoginsTable } from './identity-tables.js';
import { withStoreErrors } from './map-driver-error.js';
import type { Queryable } from './queryable.js';

export type SsoLoginRow = Selectable<SsoLoginsTable>;

/** Stores a pending login and drops expired ones; false (nothing stored) when `maxPending` are already waiting. */
export const insertSsoLogin = (q: Queryable, row: SsoLoginsTable, now: number, maxPending: number): Promise<boolean> =>
  withStoreErrors('SSO login', async () => {
    const db = identityDb(q);
    await db.deleteFrom('sso_logins').where('expires_at', '<=', now).execute();
    const { n } = await db.selectFrom('sso_logins').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) >= maxPending) return false;
    await db.insertInto('sso_logins').values(row).execute();
    return true;
  });

/** Takes (deletes and returns) the pending login of a state hash for a provider; undefined if unknown, used or expired. */
export const takeSsoLogin = (q: Queryable, stateHash: string, provider: string, now: number): Promise<SsoLoginRow | undefined> =>
  withStoreErrors('SSO login', async () => {
    const rows = await identityDb(q).deleteFrom('sso_logins').where('state_hash', '=', stateHash).where('provider', '=', provider).returningAll().execute();
    const row = rows[0];
    return row && Number(row.expires_at) > now ? row : undefined;
  });
