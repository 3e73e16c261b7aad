/** JSON Schema (draft 2020-12) of the bundle as written, for editors and docs. */
import { z } from 'zod';
import { PolicyBundle } from './schema.js';

/** Formats defined by JSON Schema 2020-12 (Validation §7.3); zod also emits private ones such as `starts_with`. */
const STANDARD_FORMATS = new Set([
  'date-time', 'date', 'time', 'duration', 'email', 'idn-email', 'hostname', 'idn-hostname', 'ipv4', 'ipv6',
  'uri', 'uri-reference', 'iri', 'iri-reference', 'uuid', 'uri-template', 'json-pointer', 'relative-json-pointer', 'regex',
]);

/** One-line descriptions of the top-level sections, shown by editors (reference: docs/policy-bundle.md). */
const SECTION_DESCRIPTIONS: Record<string, string> = {
  version: 'Bundle format version; always 1.',
  service: 'The service this policy belongs to (a DNS label).',
  revision: 'Monotonic revision; a sidecar refuses a lower revision than the one it runs.',
  hash: '"sha256:" + hex SHA-256 of the canonical JSON of the bundle without "hash".',
  createdAt: 'When the control plane compiled this bundle (RFC 3339).',
  description: 'Free text for people.',
  routes: 'What requests the sidecar accepts and what it enforces on each.',
  upstreams: 'Named load-balanced upstreams that routes may forward to; absent = the local backend.',
  authentication: 'Trusted JWT issuers, API keys (SHA-256 only) and token introspection endpoints.',
  roles: 'RBAC roles: permission patterns and inherited roles.',
  rateLimits: 'Rate limits (GCRA or fixed window) and quotas that routes refer to by id.',
  cors: 'The default CORS policy; routes may override or disable it.',
  limits: 'Request limits: maxBodyBytes.',
  requestHeaders: 'Request headers: what happens to header names holding "_" (withUnderscores: drop, reject or allow).',
  logging: 'Access-log detail and redaction.',
  securityHeaders: 'Security response headers added by the sidecar.',
};

/** Removes keywords that are not JSON Schema 2020-12 (strict validators such as Ajv refuse unknown formats). */
function dropNonStandardFormats(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) dropNonStandardFormats(item);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (typeof obj.format === 'string' && !STANDARD_FORMATS.has(obj.format)) delete obj.format;
  for (const value of Object.values(obj)) dropNonStandardFormats(value);
}

/** Builds the JSON Schema of the policy bundle input (defaults are optional in it). */
export function bundleJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicyBundle, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  dropNonStandardFormats(schema);
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, description] of Object.entries(SECTION_DESCRIPTIONS)) {
    const property = properties?.[key];
    if (property && property.description === undefined) property.description = description;
  }
  return {
    $schema: schema.$schema,
    $id: 'https://agentcore.dev/schemas/policy-bundle.v1.json',
    title: 'AgentCore Gateway policy bundle, version 1',
    ...schema,
  };
}
