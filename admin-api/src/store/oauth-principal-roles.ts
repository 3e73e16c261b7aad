/** The bundle roles of a principal (by id), for tokens issued to a user of the same name. */
import { withStoreErrors } from './map-driver-error.js';
import { dbOf, type Queryable } from './queryable.js';

/** The roles of an enabled principal `id`, or [] when there is none. */
export const readPrincipalRoles = (q: Queryable, id: string): Promise<string[]> =>
  withStoreErrors(`principal "${id}"`, async () => {
    const r = await dbOf(q).selectFrom('principals').select(['roles', 'disabled']).where('id', '=', id).executeTakeFirst();
    if (!r || Number(r.disabled) === 1) return [];
    const roles = JSON.parse(r.roles) as unknown;
    return Array.isArray(roles) ? roles.filter((x): x is string => typeof x === 'string') : [];
  });
