// CI check: src/api/schema.d.ts is what `npm run gen:api -w admin-ui` makes of the saved openapi.json.
// (e2e/test/console-openapi.test.ts checks the saved openapi.json against the admin API itself.)
// @vitest-environment node
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaTypes } from '../../scripts/render-schema-types.mjs';

describe('generated API types', () => {
  it('are current with the saved OpenAPI document (else run npm run gen:api -w admin-ui)', async () => {
    const doc = JSON.parse(readFileSync(new URL('./openapi.json', import.meta.url), 'utf8')) as unknown;
    const saved = readFileSync(new URL('./schema.d.ts', import.meta.url), 'utf8');
    expect(saved === (await renderSchemaTypes(doc)), 'src/api/schema.d.ts is stale: run npm run gen:api -w admin-ui').toBe(true);
  });
});
