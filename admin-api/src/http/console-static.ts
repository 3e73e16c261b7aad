/**
 * Serves the built console (`admin-ui/dist`) at `/` on the API's origin: hashed assets cached for a
 * year, every other page path answered with index.html (the console routes in the browser), and a
 * strict Content-Security-Policy without inline script.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

/**
 * The CSP of the console's pages: only this origin's scripts, styles, images and API. The one style hash
 * is react-aria's injected `[data-react-aria-pressable]` rule (styles.css repeats it, should it change).
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'sha256-38RhXrc7EdReTKsOm23ZPOCUgniTUUcjky8QOOrQx6o='; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Where the console's build lands in this repository (admin-api/dist/http → admin-ui/dist). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../admin-ui/dist/', import.meta.url));

/** Mounts the console from `dir`; returns false (mounting nothing) when it has not been built. */
export function mountConsole(app: Express, dir: string = DEFAULT_CONSOLE_DIR): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  app.use('/assets', (_req, res, next) => {
    res.setHeader('content-security-policy', CONSOLE_CSP);
    next();
  });
  app.use('/assets', express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d' }));
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.path.startsWith('/api/') || req.path === '/api' || req.path.startsWith('/docs') || req.path.startsWith('/assets/')) return next();
    res.setHeader('content-security-policy', CONSOLE_CSP);
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
