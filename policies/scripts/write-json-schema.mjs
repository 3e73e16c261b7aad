// Writes dist/bundle.schema.json from the built schema (run by `npm run build -w policies`).
import { writeFileSync } from 'node:fs';
import { bundleJsonSchema } from '../dist/index.js';

writeFileSync(new URL('../dist/bundle.schema.json', import.meta.url), JSON.stringify(bundleJsonSchema(), null, 2) + '\n');
