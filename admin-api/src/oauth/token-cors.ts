/**
 * CORS for the endpoints a browser app calls directly (`/oauth/token`, `/oauth/revoke`): allowed only for the
 * origins of enabled **public** clients' registered redirect URIs (a confidential client's secret never belongs in
 * a browser). A preflight from any other origin is refused (403, no CORS headers); an actual request from one gets
 * no CORS headers, so the browser does not hand the answer to the page. No credentials mode: tokens travel in the
 * body, never in cookies.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { listOAuthClients } from '../store/oauth-clients-repo.js';
import type { Store } from '../store/index.js';
import { OAuthError, sendOAuthError } from './oauth-error.js';

const ALLOWED_HEADERS = 'content-type, authorization';
const MAX_AGE_SECONDS = '600';

/** The origins (scheme://host[:port]) of the enabled public clients' redirect URIs. */
export async function publicClientOrigins(store: Store): Promise<Set<string>> {
  const origins = new Set<string>();
  for (const c of await listOAuthClients(store)) {
    if (c.type !== 'public' || c.disabled) continue;
    for (const uri of c.redirectUris) {
      try {
        const u = new URL(uri);
        if (u.protocol === 'https:' || u.protocol === 'http:') origins.add(u.origin);
      } catch {
        // a registered URI is validated on write; a custom scheme (native app) has no web origin
      }
    }
  }
  return origins;
}

/** The CORS middleware of the browser-facing OAuth endpoints. */
export function tokenCors(store: Store): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin === undefined) return next();
    res.vary('Origin');
    publicClientOrigins(store).then(
      (allowed) => {
        const ok = allowed.has(origin);
        if (ok) res.setHeader('access-control-allow-origin', origin);
        if (req.method !== 'OPTIONS') return next();
        if (!ok) return void res.status(403).setHeader('cache-control', 'no-store').end();
        res.setHeader('access-control-allow-methods', 'POST');
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', MAX_AGE_SECONDS);
        res.status(204).end();
      },
      () => sendOAuthError(res, new OAuthError('temporarily_unavailable', 'the store is unavailable; retry later', 503)),
    );
  };
}
