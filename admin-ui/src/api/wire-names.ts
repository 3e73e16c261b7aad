/**
 * The only place that knows the admin API's snake_case wire names. The API is moving its JSON fields
 * to camelCase; every read here accepts both, and every write/query name is one constant to flip.
 */

/** Reads a string field that is `camel` in the camelCase API and `snake` before it. */
export function readField(o: unknown, camel: string, snake: string): string | undefined {
  const r = o as Record<string, unknown> | null | undefined;
  const v = r?.[camel] ?? r?.[snake];
  return typeof v === 'string' ? v : undefined;
}

/** Body field of `POST …/api-keys/{id}/rotate` giving how long the old key keeps working. */
export const ROTATE_OVERLAP_FIELD = 'overlapSeconds';

/** Query-parameter names of `GET /api/v1/access-logs` (and its export) whose wire name differs from the console's. */
export const ACCESS_LOG_PARAM = { apiKey: 'apiKey', requestId: 'requestId' } as const;

/** Query-parameter names of `GET /api/v1/audit-events` whose wire name differs from the console's. */
export const AUDIT_PARAM = { resourceType: 'resourceType', resourceId: 'resourceId' } as const;
