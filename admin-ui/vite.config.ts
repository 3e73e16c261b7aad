// The console's build: one entry, hashed assets under /assets, no inline scripts (the admin API serves it with a strict CSP).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const adminApi = process.env.AGENTCORE_ADMIN_URL ?? 'http://127.0.0.1:7070';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@agentcore/policies': fileURLToPath(new URL('../policies/src/index.ts', import.meta.url)) } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, modulePreload: { polyfill: false }, chunkSizeWarningLimit: 900 },
  server: { proxy: { '/api': { target: adminApi, changeOrigin: false } } },
});
