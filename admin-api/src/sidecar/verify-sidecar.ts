/** The sidecar verifier of the access guard: `Authorization: Bearer agc_sc_…` → the service the credential is for. */
import type { Request, Response } from 'express';
import { AdminError } from '../errors.js';
import type { Store } from '../store/index.js';
import { authenticateSidecarToken } from '../store/sidecar-credentials-repo.js';

/** What a verified sidecar may act for (set by the guard in `res.locals.sidecar`). */
export interface VerifiedSidecar {
  service: string;
}

/** Builds the verifier: undefined for a missing, unknown or revoked token. */
export function createSidecarVerifier(store: Store, now: () => number = Date.now): (req: Request) => Promise<VerifiedSidecar | undefined> {
  return async (req) => {
    const h = req.headers.authorization;
    if (typeof h !== 'string') return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    if (!m) return undefined;
    const cred = await authenticateSidecarToken(store, m[1]!, now());
    return cred ? { service: cred.service } : undefined;
  };
}

/** The verified sidecar of the request; 401 when the guard did not verify one, 403 when it is for another service. */
export function sidecarFor(res: Response, service: string | undefined): VerifiedSidecar {
  const s = res.locals.sidecar as VerifiedSidecar | undefined;
  if (!s) throw new AdminError('ADMIN_UNAUTHENTICATED', 'a valid sidecar credential is required', {}, { headers: { 'www-authenticate': 'Bearer' } });
  if (service !== undefined && s.service !== service) {
    throw new AdminError('ADMIN_SIDECAR_WRONG_SERVICE', `this sidecar credential is for service "${s.service}", not "${service}"`);
  }
  return s;
}

