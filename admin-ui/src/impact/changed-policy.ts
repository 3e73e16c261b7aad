/**
 * How a pending change becomes a policy the impact preview can evaluate: like the admin API's would-be bundle
 * (the stored state with the change applied, validated and compiled by `@agentcore/policies`), but built in the
 * browser from a published revision's bundle with the change applied to it.
 */
import { compilePolicy, validateBundle, type CompiledPolicy, type PolicyBundle } from '@agentcore/policies';

/** A compiled policy, or why the document is not a valid bundle. */
export type PolicyOrError = { policy: CompiledPolicy } | { error: string };

/** Validates and compiles a bundle document exactly as the sidecar does. */
export function compileBundleDocument(content: unknown): PolicyOrError {
  const v = validateBundle(content);
  return v.ok ? { policy: compilePolicy(v.bundle) } : { error: v.issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
}

/** Parses JSON text (an edited bundle) and compiles it; a syntax error is reported like a validation error. */
export function compileBundleJson(text: string): PolicyOrError {
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
  return compileBundleDocument(content);
}

/** `bundle` with the permissions of the roles named in `permissions` replaced (unsaved permission-matrix edits). */
export function withRolePermissions(bundle: PolicyBundle, permissions: Readonly<Record<string, readonly string[]>>): unknown {
  return {
    ...bundle,
    roles: bundle.roles.map((r) => {
      const p = permissions[r.name];
      return p ? { ...r, permissions: [...p] } : r;
    }),
  };
}
