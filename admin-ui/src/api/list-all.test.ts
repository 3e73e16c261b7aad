import { describe, expect, it } from 'vitest';
import { listAll } from './list-all';

const pages: Record<string, { items: number[]; nextCursor: string | null }> = {
  start: { items: [1, 2], nextCursor: 'b' },
  b: { items: [3, 4], nextCursor: 'c' },
  c: { items: [5], nextCursor: null },
};

describe('listAll', () => {
  it('follows nextCursor to the last page', async () => {
    const asked: (string | undefined)[] = [];
    const all = await listAll(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'start']!;
    });
    expect(all).toEqual([1, 2, 3, 4, 5]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });

  it('stops at max items', async () => {
    expect(await listAll(async (cursor) => pages[cursor ?? 'start']!, 3)).toEqual([1, 2, 3, 4]);
  });
});
