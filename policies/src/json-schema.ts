/** JSON Schema (draft 2020-12) of the bundle as written, for editors and docs. */
import { z } from 'zod';
import { PolicyBundle } from './schema.js';

/** Builds the JSON Schema of the policy bundle input (defaults are optional in it). */
export function bundleJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyBundle, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://agentcore.dev/schemas/policy-bundle.v1.json',
    title: 'AgentCore Gateway policy bundle, version 1',
  };
}
