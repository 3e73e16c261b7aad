/**
 * A structural diff of two JSON documents (bundle revisions): the paths added, removed or changed, each with its
 * value before and after. Objects are compared key by key; arrays of objects with an `id` or `name` are matched by
 * it (so inserting a route does not show every later route as changed); other arrays index by index.
 */

/** One difference; `path` is an RFC 6901 JSON pointer into the documents (array items by index in `before`/`after`). */
export interface DiffEntry {
  op: 'added' | 'removed' | 'changed';
  path: string;
  before?: unknown;
  after?: unknown;
}

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key that identifies array items, when every item of both arrays has a distinct one. */
function itemKey(a: readonly unknown[], b: readonly unknown[]): 'id' | 'name' | undefined {
  for (const k of ['id', 'name'] as const) {
    const keys = (xs: readonly unknown[]) => xs.map((x) => (isObject(x) && typeof x[k] === 'string' ? x[k] : undefined));
    const ka = keys(a);
    const kb = keys(b);
    if ([...ka, ...kb].every((x) => x !== undefined) && new Set(ka).size === ka.length && new Set(kb).size === kb.length) return k;
  }
  return undefined;
}

function walk(before: unknown, after: unknown, path: string, out: DiffEntry[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) {
      const p = `${path}/${escape(key)}`;
      if (!Object.hasOwn(after, key)) out.push({ op: 'removed', path: p, before: before[key] });
      else if (!Object.hasOwn(before, key)) out.push({ op: 'added', path: p, after: after[key] });
      else walk(before[key], after[key], p, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const key = before.length + after.length > 0 ? itemKey(before, after) : undefined;
    if (key) {
      const idx = (xs: readonly unknown[]) => new Map(xs.map((x, i) => [(x as Record<string, string>)[key]!, i]));
      const ib = idx(before);
      const ia = idx(after);
      before.forEach((item, i) => {
        const j = ia.get((item as Record<string, string>)[key]!);
        if (j === undefined) out.push({ op: 'removed', path: `${path}/${i}`, before: item });
        else walk(item, after[j], `${path}/${j}`, out);
      });
      after.forEach((item, j) => {
        if (!ib.has((item as Record<string, string>)[key]!)) out.push({ op: 'added', path: `${path}/${j}`, after: item });
      });
      return;
    }
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) {
      if (i >= after.length) out.push({ op: 'removed', path: `${path}/${i}`, before: before[i] });
      else if (i >= before.length) out.push({ op: 'added', path: `${path}/${i}`, after: after[i] });
      else walk(before[i], after[i], `${path}/${i}`, out);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ op: 'changed', path: path === '' ? '' : path, before, after });
}

/** Differences from `before` to `after` (JSON values), in a stable order. */
export function diffJson(before: unknown, after: unknown): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk(before, after, '', out);
  return out;
}
