// The package's structure rules, checked on every test run: no file over 300 lines and no function over 80 lines in
// src (declarative tables marked "Declarative" on a line just above are exempt; test callbacks are not functions of
// the product), no import cycle, and no file importing another app's src.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = resolve(root, '..');
const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
const srcFiles = walk(join(root, 'src'));
const allFiles = [...srcFiles, ...walk(join(root, 'test'))];
const rel = (f: string): string => relative(root, f);

/** Functions longer than `max` lines not marked declarative just above. */
function longFunctions(file: string, max: number): string[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const start = src.getLineAndCharacterOfPosition(n.getStart()).line;
      const length = src.getLineAndCharacterOfPosition(n.end).line - start + 1;
      const marked = lines.slice(Math.max(0, start - 3), start + 1).some((l) => /Declarative/.test(l));
      if (marked) return; // a declarative table, with its nested callbacks
      if (length > max) out.push(`${rel(file)}:${start + 1} (${length} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

/** The files a module imports by relative path (type-only imports included), resolved to .ts files. */
function localImports(file: string): string[] {
  return ts
    .preProcessFile(readFileSync(file, 'utf8'), true, false)
    .importedFiles.map((i) => i.fileName)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

describe('admin-api structure', () => {
  it('has no file over 300 lines', () => {
    const long = allFiles.filter((f) => readFileSync(f, 'utf8').split('\n').length > 301).map(rel);
    expect(long).toEqual([]);
  });

  it('has no function over 80 lines in src, except marked declarative tables', () => {
    expect(srcFiles.filter((f) => !f.endsWith('.test.ts')).flatMap((f) => longFunctions(f, 80))).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(srcFiles.map((f) => [f, localImports(f).filter((d) => srcFiles.includes(d))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const d of graph.get(f) ?? []) visit(d, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of srcFiles) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('imports no other app\'s src (use the packages)', () => {
    const foreign = allFiles.flatMap((f) =>
      localImports(f)
        .filter((d) => !d.startsWith(root + '/') && /\/src\//.test(relative(repo, d)))
        .map((d) => `${rel(f)} → ${relative(repo, d)}`),
    );
    expect(foreign).toEqual([]);
  });
});
