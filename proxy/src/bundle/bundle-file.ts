/** Reads a bundle file and validates it; never throws. */
import { readFile } from 'node:fs/promises';
import { parseBundle, type BundleIssue, type PolicyBundle } from '@agentcore/policies';

export type BundleLoad = { ok: true; bundle: PolicyBundle } | { ok: false; issues: BundleIssue[] };

export async function loadBundleFile(path: string): Promise<BundleLoad> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { ok: false, issues: [{ path: '(file)', pointer: '', message: `cannot read ${path}: ${(e as Error).message}` }] };
  }
  const r = parseBundle(text);
  return r.ok ? { ok: true, bundle: r.bundle } : { ok: false, issues: r.issues };
}

export { describeIssues } from '@agentcore/policies';
