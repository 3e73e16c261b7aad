/** The list contract of every resource: `?limit&cursor&sort&order&q` in, `{items,total,nextCursor}` out. */
import { z } from 'zod';
import type { SortSpec } from '../store/index.js';

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 200;

/** Query parameters shared by the list endpoints; `sortFields[0]` is the default sort. */
export function listQueryShape<F extends string>(sortFields: readonly [F, ...F[]], filterDescription: string) {
  return {
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50).describe(`page size, 1..${MAX_PAGE_SIZE} (default 50)`),
    cursor: z.string().min(1).max(512).optional().describe('`nextCursor` of the previous page'),
    sort: z.enum(sortFields).default(sortFields[0] as never).describe(`sort field (default ${sortFields[0]})`),
    order: z.enum(['asc', 'desc']).default('asc').describe('sort direction'),
    q: z.string().min(1).max(256).optional().describe(filterDescription),
  };
}

/** The store's sort spec (`field` or `-field`) for `sort` and `order`. */
export function sortSpec<F extends string>(sort: F, order: 'asc' | 'desc'): SortSpec<F> {
  return order === 'desc' ? (`-${sort}` as const) : sort;
}

/** The page envelope of a list response. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.int().optional().describe('number of matching items'),
    nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last page'),
  });
}

/** Epoch ms → ISO 8601 (null stays null). */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** `Location` of a created resource: the path segments, each URL-encoded. */
export function locationOf(...segments: string[]): string {
  return `/api/v1/${segments.map(encodeURIComponent).join('/')}`;
}
