/**
 * Canonical JSON in the style of RFC 8785 (JSON Canonicalization Scheme): one byte-exact text per JSON value,
 * so that equal bundles hash equally whatever their key order. https://www.rfc-editor.org/rfc/rfc8785
 */

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code units (RFC 8785 §3.2.3), no whitespace,
 * numbers and strings as `JSON.stringify` writes them (which is what RFC 8785 §3.2.2 prescribes), array order kept,
 * object properties whose value is `undefined` dropped. Values with a `toJSON` method (Date) are replaced by its result.
 * Throws TypeError on anything that is not JSON: functions, symbols, bigint, NaN/±Infinity, `undefined` outside
 * an object property (top level, array element or hole), non-plain objects (Map, Set, class instances) and cycles.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set(), '$');
}

function serialise(value: unknown, ancestors: Set<object>, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${String(value)} is not a JSON number`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`${path}: a ${typeof value} is not a JSON value`);
  }

  const obj = value as object;
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    return serialise((obj as { toJSON(): unknown }).toJSON(), ancestors, path);
  }
  if (ancestors.has(obj)) throw new TypeError(`${path}: cyclic reference`);
  ancestors.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    const items: string[] = [];
    for (let i = 0; i < obj.length; i++) items.push(serialise(obj[i], ancestors, `${path}[${i}]`));
    out = `[${items.join(',')}]`;
  } else {
    const proto: unknown = Object.getPrototypeOf(obj);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`${path}: a ${obj.constructor?.name ?? 'non-plain object'} is not a JSON object`);
    }
    const record = obj as Record<string, unknown>;
    // Default sort compares UTF-16 code units, as RFC 8785 requires.
    const keys = Object.keys(record).sort();
    const members: string[] = [];
    for (const k of keys) {
      const v = record[k];
      if (v === undefined) continue;
      members.push(`${JSON.stringify(k)}:${serialise(v, ancestors, `${path}.${k}`)}`);
    }
    out = `{${members.join(',')}}`;
  }
  ancestors.delete(obj);
  return out;
}
