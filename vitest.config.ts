// One root config; each workspace package is a vitest project (`vitest run --project proxy`).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const policiesSrc = fileURLToPath(new URL('./policies/src/index.ts', import.meta.url));
const alias = { '@agentcore/policies': policiesSrc };
/** Project roots are absolute, so `npm test --workspace X` (run from the package directory) finds the same files. */
const dir = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'cli-config', root: dir('cli-config'), include: ['src/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'policies', root: dir('policies'), include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        resolve: { alias },
        test: { name: 'proxy', root: dir('proxy'), include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 20000, hookTimeout: 30000 },
      },
      { resolve: { alias }, test: { name: 'admin-api', root: dir('admin-api'), include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'admin-ui', root: dir('admin-ui'), environment: 'jsdom', testTimeout: 20000, setupFiles: ['./src/testing/setup.ts'], include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'e2e', root: dir('e2e'), include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60000, hookTimeout: 60000 } },
    ],
  },
});
