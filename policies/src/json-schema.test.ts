// The generated JSON Schema: draft 2020-12, complete at the top level, and usable by strict validators.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleJsonSchema } from './json-schema.js';
import { PolicyBundle } from './schema.js';

type Node = Record<string, unknown>;

const schema = bundleJsonSchema();
const properties = schema.properties as Record<string, Node>;
const demo = JSON.parse(readFileSync(new URL('../examples/demo.bundle.json', import.meta.url), 'utf8')) as Node;

/** Every object node of the schema, with its JSON pointer. */
function nodes(node: unknown, pointer = ''): [string, Node][] {
  if (Array.isArray(node)) return node.flatMap((n, i) => nodes(n, `${pointer}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  return [[pointer, node as Node], ...Object.entries(node).flatMap(([k, v]) => nodes(v, `${pointer}/${k}`))];
}

describe('bundleJsonSchema', () => {
  it('is a draft 2020-12 object schema with an id and a title', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://agentcore.dev/schemas/policy-bundle.v1.json',
      type: 'object',
      additionalProperties: false,
    });
    expect(schema.title).toEqual(expect.any(String));
  });

  it.each(['routes', 'authentication', 'roles', 'rateLimits', 'upstreams', 'cors', 'limits', 'logging', 'securityHeaders'])('describes %s', (key) => {
    expect(properties[key]).toEqual(expect.objectContaining({ description: expect.any(String) }));
  });

  it('describes every top-level key of the demo bundle and of the zod schema', () => {
    const keys = new Set([...Object.keys(demo), ...Object.keys(PolicyBundle.shape)]);
    for (const key of keys) expect(properties[key]?.description, key).toEqual(expect.any(String));
    expect(Object.keys(properties).sort()).toEqual(Object.keys(PolicyBundle.shape).sort());
  });

  it('describes the input: fields with defaults are optional', () => {
    expect(new Set(schema.required as string[])).toEqual(new Set(['version', 'service', 'revision', 'routes']));
    const route = (properties.routes!.items as Node);
    expect(route.required).toEqual(['id', 'match']);
    expect((route.properties as Record<string, Node>).sse).toMatchObject({ type: 'boolean', default: false });
  });

  it('uses only formats defined by JSON Schema 2020-12 (zod emits "starts_with")', () => {
    const formats = nodes(schema).flatMap(([, n]) => (typeof n.format === 'string' ? [n.format] : []));
    expect(new Set(formats)).toEqual(new Set(['date-time', 'uri']));
  });

  it('has patterns that compile as ECMA-262 regular expressions in unicode mode', () => {
    const patterns = nodes(schema).flatMap(([pointer, n]) => (typeof n.pattern === 'string' ? [[pointer, n.pattern] as const] : []));
    expect(patterns.length).toBeGreaterThan(10);
    for (const [pointer, pattern] of patterns) expect(() => new RegExp(pattern, 'u'), pointer).not.toThrow();
  });

  it('keeps the key patterns of records (upstream names)', () => {
    expect(properties.upstreams).toMatchObject({ type: 'object', propertyNames: { pattern: expect.any(String) } });
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('is built afresh on each call (callers may edit their copy)', () => {
    const a = bundleJsonSchema();
    (a.properties as Record<string, Node>).routes!.description = 'changed';
    expect(properties.routes!.description).not.toBe('changed');
  });
});
