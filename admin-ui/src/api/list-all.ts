/** Reads every page of a cursor-paged list (the console shows whole lists; the API pages them by 200). */

/** Follows `nextCursor` until the last page; stops at `max` items so a runaway list cannot hang the page. */
export async function listAll<T>(page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>, max = 10_000): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    all.push(...p.items);
    cursor = p.nextCursor ?? undefined;
  } while (cursor && all.length < max);
  return all;
}
