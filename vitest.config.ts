// One root config; each workspace package is a vitest project (`vitest run --project proxy`).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const policiesSrc = fileURLToPath(new URL('./policies/src/index.ts', import.meta.url));
const alias = { '@agentcore/policies': policiesSrc };

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'policies', root: './policies', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      {
        resolve: { alias },
        test: { name: 'proxy', root: './proxy', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 20000, hookTimeout: 30000 },
      },
      { resolve: { alias }, test: { name: 'admin-api', root: './admin-api', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'admin-ui', root: './admin-ui', environment: 'jsdom', testTimeout: 20000, setupFiles: ['./src/testing/setup.ts'], include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'] } },
      { resolve: { alias }, test: { name: 'e2e', root: './e2e', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], testTimeout: 60000, hookTimeout: 60000 } },
    ],
  },
});
