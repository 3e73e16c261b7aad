/** Header add/remove/rename/set rules of a route, compiled once per bundle and applied to flat header lists. */
import type { HeaderTransform } from '@agentcore/policies';

export interface CompiledHeaderTransform {
  /** lower-case names removed (also the sources of renames) */
  readonly remove: ReadonlySet<string>;
  /** lower-case source name → target name */
  readonly rename: ReadonlyMap<string, string>;
  /** lower-case names whose existing values are dropped before `set` values are appended */
  readonly setNames: ReadonlySet<string>;
  /** flat [name, value, …] appended: set values then add values */
  readonly append: readonly string[];
}

/** Compiles a transform; `undefined` when it does nothing. */
export function compileHeaderTransform(t: HeaderTransform | undefined): CompiledHeaderTransform | undefined {
  if (!t) return undefined;
  const rename = new Map(Object.entries(t.rename).map(([from, to]) => [from.toLowerCase(), to]));
  const setEntries = Object.entries(t.set);
  const addEntries = Object.entries(t.add);
  if (t.remove.length === 0 && rename.size === 0 && setEntries.length === 0 && addEntries.length === 0) return undefined;
  return {
    remove: new Set(t.remove.map((h) => h.toLowerCase())),
    rename,
    setNames: new Set(setEntries.map(([k]) => k.toLowerCase())),
    append: [...setEntries.flat(), ...addEntries.flat()],
  };
}

/** Applies a transform to a flat [name, value, …] list (names in any case); returns a new list. */
export function applyHeaderTransform(headers: readonly string[], t: CompiledHeaderTransform): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const lower = name.toLowerCase();
    if (t.remove.has(lower) || t.setNames.has(lower)) continue;
    const renamed = t.rename.get(lower);
    out.push(renamed ?? name, headers[i + 1]!);
  }
  for (const v of t.append) out.push(v);
  return out;
}
