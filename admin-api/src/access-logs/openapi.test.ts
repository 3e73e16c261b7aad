import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { auditEndpoints } from '../audit/index.js';
import { openApiDocument } from '../http/openapi.js';
import type { Store } from '../store/index.js';
import { accessLogEndpoints } from './index.js';

describe('log endpoints in the OpenAPI document', () => {
  it('produce a document a standard validator accepts, with every filter as a query parameter', async () => {
    const store = {} as Store;
    const doc = openApiDocument([...accessLogEndpoints({ store }), ...auditEndpoints({ store })], { version: '0.0.0' });
    // Only our paths are under test: the shared Error component (http/openapi.ts) is replaced by a stub.
    const ours = { ...structuredClone(doc), components: { ...(doc.components as object), schemas: { Error: { type: 'object' } } } };
    const result = await validate(ours as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    const paths = doc.paths as Record<string, { get: { parameters: { name: string }[] } }>;
    expect(paths['/api/v1/access-logs']?.get.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'service', 'principal', 'apiKey', 'route', 'status', 'decision', 'limit', 'cursor', 'order']),
    );
    expect(paths['/api/v1/audit-events/export']?.get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['from', 'actor', 'outcome', 'format']));
  });
});
