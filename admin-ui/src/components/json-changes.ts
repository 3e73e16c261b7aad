/** The leaf-level changes between two JSON values, in the same shape as the API's bundle diff. */

/** One change at a dotted path (`permissions.2`, `definition.match.path`). */
export interface JsonChange {
  op: 'added' | 'removed' | 'changed';
  path: string;
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists what differs between `before` and `after`; arrays of scalars compare as sets-with-order by index. */
export function jsonChanges(before: unknown, after: unknown, path = ''): JsonChange[] {
  if (Object.is(before, after)) return [];
  if (before === undefined || before === null) return after === undefined || after === null ? [] : [{ op: 'added', path: path || '(root)', after }];
  if (after === undefined || after === null) return [{ op: 'removed', path: path || '(root)', before }];
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  if ((isObject(before) && isObject(after)) || bothArrays) {
    const b = before as Record<string, unknown>;
    const a = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    if (!bothArrays) keys.sort();
    return keys.flatMap((k) => jsonChanges(b[k], a[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ op: 'changed', path: path || '(root)', before, after }];
}
