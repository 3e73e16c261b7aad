/** Small named settings of the authorization server (its issuer URL), shared by every admin-api replica. */
import { withStoreErrors } from './map-driver-error.js';
import { oauthDb } from './oauth-tables.js';
import type { Queryable } from './queryable.js';

/** Name of the setting holding the issuer URL (`iss` of our tokens). */
export const OAUTH_ISSUER_SETTING = 'issuer';

/** A setting's value, or undefined. */
export const getOAuthSetting = (q: Queryable, name: string): Promise<string | undefined> =>
  withStoreErrors(`OAuth setting ${name}`, async () => (await oauthDb(q).selectFrom('oauth_settings').select('value').where('name', '=', name).executeTakeFirst())?.value);

/** Sets a setting (insert or update). */
export const setOAuthSetting = (q: Queryable, name: string, value: string): Promise<void> =>
  withStoreErrors(`OAuth setting ${name}`, async () => {
    await oauthDb(q).insertInto('oauth_settings').values({ name, value }).onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
  });
