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

function bundleIssue(path: readonly PropertyKey[], message: string): BundleIssue {
  return { path: formatIssuePath(path), pointer: toPointer(path), message };
}

/** An issue saying only "this value has the wrong type": the branch of a union that did not apply. */
function isRootMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
}

function collectIssues(issue: z.core.$ZodIssue, base: readonly PropertyKey[], out: BundleIssue[]): void {
  const path = [...base, ...issue.path];
  switch (issue.code) {
    case 'unrecognized_keys':
      // One issue per key, at the key itself, so an editor can point at it.
      for (const key of issue.keys) out.push(bundleIssue([...path, key], `unknown key "${key}"`));
      return;
    case 'invalid_key': {
      const why = issue.issues.map((i) => i.message).join('; ');
      out.push(bundleIssue(path, why === '' ? issue.message : `invalid key: ${why}`));
      return;
    }
    case 'invalid_union': {
      // Report the problems of the one branch that was meant (e.g. a route's `cors` object, not `false`).
      const meant = issue.errors.filter((branch) => !branch.every(isRootMismatch));
      if (meant.length === 1) {
        for (const inner of meant[0]!) collectIssues(inner, path, out);
        return;
      }
      const expected = issue.errors.flat().filter(isRootMismatch).map((i) => i.message.replace(/^Invalid input: /, ''));
      out.push(bundleIssue(path, meant.length === 0 && expected.length > 0 ? `Invalid input: ${expected.join(', or ')}` : issue.message));
      return;
    }
    default:
      out.push(bundleIssue(path, issue.message));
  }
}

/** Maps zod issues to bundle issues (shared by every caller that validates with a policies schema). */
export function toBundleIssues(issues: readonly z.core.$ZodIssue[]): BundleIssue[] {
  const out: BundleIssue[] = [];
  for (const issue of issues) collectIssues(issue, [], out);
  return out;
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

/** One line listing every issue (`path: message; …`), for logs and start-up errors. */
export function describeIssues(issues: readonly BundleIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
