/** The references of an API key, checked on create and update: its principal exists, its roles are roles of its service. */
import { AdminError } from '../errors.js';
import { dbOf, type Queryable } from '../store/queryable.js';

/** 422 ADMIN_REFERENCE_UNKNOWN naming the principal or the roles that do not exist (`principal` undefined = unchanged). */
export async function checkKeyReferences(q: Queryable, service: string, ref: { principal?: string; roles?: readonly string[] }): Promise<void> {
  const db = dbOf(q);
  if (ref.principal !== undefined) {
    const p = await db.selectFrom('principals').select('id').where('id', '=', ref.principal).executeTakeFirst();
    if (!p) {
      throw new AdminError('ADMIN_REFERENCE_UNKNOWN', `principal ${ref.principal} does not exist`, {
        fields: [{ path: 'body.principal', message: `unknown principal "${ref.principal}": create it first (POST /api/v1/principals)` }],
      });
    }
  }
  const roles = [...new Set(ref.roles ?? [])];
  if (roles.length === 0) return;
  const found = new Set((await db.selectFrom('roles').select('id').where('service', '=', service).where('id', 'in', roles).execute()).map((r) => r.id));
  const missing = roles.filter((r) => !found.has(r));
  if (missing.length > 0) {
    throw new AdminError('ADMIN_REFERENCE_UNKNOWN', `${missing.map((r) => `unknown role "${r}"`).join(', ')}: no such role in service "${service}"`, {
      fields: missing.map((r) => ({ path: `body.roles[${(ref.roles ?? []).indexOf(r)}]`, message: `unknown role "${r}"` })),
    });
  }
}
