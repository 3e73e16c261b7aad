/** Bundle validation that reports every problem with its JSON path, never throwing on any input. */
import type { z } from 'zod';
import { PolicyBundle } from './schema.js';

/** One validation problem: `path` like `routes[2].match.path`, `pointer` as RFC 6901. */
export interface BundleIssue {
  path: string;
  pointer: string;
  message: string;
}

export type BundleValidation = { ok: true; bundle: PolicyBundle } | { ok: false; issues: BundleIssue[] };

/** Formats a zod issue path as `a.b[0].c`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Maps zod issues to bundle issues (shared by every caller that validates with a policies schema). */
export function toBundleIssues(issues: readonly z.core.$ZodIssue[]): BundleIssue[] {
  return issues.map((i) => ({ path: formatIssuePath(i.path), pointer: toPointer(i.path), message: i.message }));
}

/** Validates an unknown value (e.g. parsed JSON) as a policy bundle, applying defaults. */
export function validateBundle(input: unknown): BundleValidation {
  const r = PolicyBundle.safeParse(input);
  if (r.success) return { ok: true, bundle: r.data };
  return { ok: false, issues: toBundleIssues(r.error.issues) };
}

/** Parses JSON text and validates it; a JSON syntax error is one issue at the root. */
export function parseBundle(text: string): BundleValidation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, issues: [{ path: '(root)', pointer: '', message: `not valid JSON: ${(e as Error).message}` }] };
  }
  return validateBundle(value);
}
