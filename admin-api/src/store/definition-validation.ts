/** Validation of stored JSON definitions with the `@agentcore/policies` zod schemas. */
import type { z } from 'zod';
import { StoreError, type ValidationIssue } from './store-error.js';

/** Parses `input` with `schema`; on failure throws ADMIN_POLICY_INVALID carrying each zod issue path. */
export function parseDefinition<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  throw new StoreError('ADMIN_POLICY_INVALID', `invalid ${what}${where}: ${first?.message ?? 'rejected'}`, { issues });
}

/** Parses a TEXT JSON column. */
export function readJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
