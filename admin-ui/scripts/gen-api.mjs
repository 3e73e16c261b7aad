#!/usr/bin/env node
// `npm run gen:api -w admin-ui [-- --from http://127.0.0.1:7070]`: the console's API types from the admin API's OpenAPI document.
// With --from, first saves that running admin API's /api/v1/openapi.json as src/api/openapi.json; then (always)
// writes src/api/schema.d.ts from the saved document. Starts nothing. e2e/test/console-openapi.test.ts fails when
// the saved document differs from what the admin API serves, and src/api/schema-current.test.ts when the types are stale.
import { readFile, writeFile } from 'node:fs/promises';
import { renderSchemaTypes } from './render-schema-types.mjs';

const jsonFile = new URL('../src/api/openapi.json', import.meta.url);
const typesFile = new URL('../src/api/schema.d.ts', import.meta.url);
const i = process.argv.indexOf('--from');
if (i > 0) {
  const base = process.argv[i + 1];
  const r = await fetch(new URL('/api/v1/openapi.json', base));
  if (!r.ok) throw new Error(`GET ${base}/api/v1/openapi.json → ${r.status}`);
  await writeFile(jsonFile, `${JSON.stringify(await r.json(), null, 1)}\n`);
}
const doc = JSON.parse(await readFile(jsonFile, 'utf8'));
await writeFile(typesFile, await renderSchemaTypes(doc));
console.log(`wrote ${typesFile.pathname}`);
