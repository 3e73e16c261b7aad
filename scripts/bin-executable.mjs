#!/usr/bin/env node
// After `tsc -b`: make every workspace's `bin` entry executable, so the links npm made in node_modules/.bin
// (`npx agentcore-proxy --help` from the repository root) run without going to the registry. tsc writes its
// output with mode 644; npm only sets the bit at install time, before the first build exists.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const ws of workspaces) {
  const pkgFile = join(root, ws, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const { bin } = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const files = typeof bin === 'string' ? [bin] : Object.values(bin ?? {});
  for (const f of files) {
    const path = join(root, ws, f);
    if (existsSync(path)) chmodSync(path, 0o755);
  }
}
