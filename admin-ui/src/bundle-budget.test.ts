// CI check: the JavaScript a browser loads before the first page renders (the entry and its static
// imports, gzipped) stays within 250 KB. Pages are lazy chunks and do not count. Needs `npm run build`.
// @vitest-environment node
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);
const BUDGET = 250 * 1024;
const STATIC_IMPORT = /(?:^|[;}\n])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g;

/** The entry chunk and every chunk it imports statically, transitively. */
function initialChunks(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(new URL(`assets/${file}`, dist), 'utf8');
    for (const m of code.matchAll(STATIC_IMPORT)) visit(m[1]!);
  };
  visit(entry);
  return [...seen];
}

describe('initial JavaScript budget', () => {
  it('is at most 250 KB gzipped', () => {
    expect(existsSync(new URL('index.html', dist)), 'admin-ui/dist is missing: run npm run build').toBe(true);
    const html = readFileSync(new URL('index.html', dist), 'utf8');
    const entries = [...html.matchAll(/<script[^>]+src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(entries).toHaveLength(1);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script (the CSP forbids it)
    const chunks = initialChunks(entries[0]!);
    const gz = chunks.reduce((n, f) => n + gzipSync(readFileSync(new URL(`assets/${f}`, dist))).length, 0);
    console.log(`initial JS: ${chunks.length} chunk(s), ${(gz / 1024).toFixed(1)} KB gzipped`);
    expect(gz).toBeLessThanOrEqual(BUDGET);
  });
});
