/** The list contract shared by the repositories: limit, opaque cursor, filter, sort → page. */
import { StoreError } from './store-error.js';

/** `field` ascending or `-field` descending. */
export type SortSpec<F extends string> = F | `-${F}`;

/** Options of a list call. */
export interface ListOptions<Filter, SortField extends string> {
  /** page size, 1..500 (default 50) */
  limit?: number;
  /** `nextCursor` of the previous page */
  cursor?: string | null;
  filter?: Filter;
  sort?: SortSpec<SortField>;
}

/** One page of a list. `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** The page size to use: the requested one clamped to 1..max. */
export function pageLimit(limit: number | undefined, max = MAX_LIMIT): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIMIT;
  return Math.min(max, Math.max(1, Math.trunc(limit)));
}

/** Splits a sort spec into its field and direction, falling back to `fallback`. */
export function parseSort<F extends string>(sort: SortSpec<F> | undefined, allowed: readonly F[], fallback: F): { field: F; direction: 'asc' | 'desc' } {
  if (sort === undefined) return { field: fallback, direction: 'asc' };
  const desc = sort.startsWith('-');
  const field = (desc ? sort.slice(1) : sort) as F;
  if (!allowed.includes(field)) throw new StoreError('ADMIN_POLICY_INVALID', `cannot sort by "${field}"`, { issues: [{ path: ['sort'], message: `must be one of ${allowed.join(', ')}` }] });
  return { field, direction: desc ? 'desc' : 'asc' };
}

/** An opaque cursor holding JSON (base64url). */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor and checks its shape; a malformed one is ADMIN_POLICY_INVALID. */
export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!check(value)) throw new StoreError('ADMIN_POLICY_INVALID', 'invalid cursor', { issues: [{ path: ['cursor'], message: 'is not a cursor returned by this list' }] });
  return value;
}

/** Offset cursors, used by the small policy resources (where `total` is cheap). */
export const offsetCursor = {
  encode: (offset: number): string => encodeCursor({ o: offset }),
  decode: (cursor: string | null | undefined): number =>
    cursor == null || cursor === ''
      ? 0
      : decodeCursor(cursor, (v): v is { o: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0).o,
};
