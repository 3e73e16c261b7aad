/**
 * The sidecar contract of the control plane (docs/bundle-sync.md): the endpoints sidecars call (bundle long-poll,
 * status, access-log ingest), the admin endpoints of sidecar credentials and the fleet, and the verifier the
 * access guard uses for 'sidecar' endpoints. Depends on the bundle service only through `RevisionFeed`.
 */
import type { Logger } from 'pino';
import { accessLogIngestEndpoints } from '../access-logs/access-log-ingest.js';
import type { EndpointSpec } from '../http/endpoint.js';
import type { Store } from '../store/index.js';
import { createCredentialRevocations } from './credential-revocations.js';
import { sidecarCredentialEndpoints } from './sidecar-credential-endpoints.js';
import { sidecarEndpoints, type RevisionFeed } from './sidecar-endpoints.js';
import { createSidecarVerifier, type VerifiedSidecar } from './verify-sidecar.js';
import type { Request } from 'express';

export type { RevisionFeed } from './sidecar-endpoints.js';
export { MAX_WAIT_SECONDS, STALE_AFTER_MS, parseIfNoneMatch } from './sidecar-endpoints.js';
export type { VerifiedSidecar } from './verify-sidecar.js';

/** The endpoints of the sidecar contract and the verifier for the access guard. */
export interface SidecarContract {
  endpoints: EndpointSpec<never, never, never>[];
  /** `Authorization: Bearer agc_sc_…` → the service the credential is for; undefined for a missing, unknown or revoked one */
  verifySidecar(req: Request): Promise<VerifiedSidecar | undefined>;
}

export interface SidecarContractDeps {
  store: Store;
  /** the bundle service's long-poll waiters */
  waiters: RevisionFeed;
  log: Logger;
  /** epoch ms; tests move it */
  now?: () => number;
}

/** Builds the sidecar contract over an open store and the bundle service's waiters. */
export function createSidecarContract(deps: SidecarContractDeps): SidecarContract {
  const { store, waiters, now } = deps;
  const log = deps.log.child({ module: 'sidecar' });
  const verifySidecar = createSidecarVerifier(store, now);
  const revocations = createCredentialRevocations();
  return {
    endpoints: [
      ...sidecarEndpoints({ store, waiters, verify: verifySidecar, revocations, now }),
      ...accessLogIngestEndpoints({ store, log, now }),
      ...sidecarCredentialEndpoints({ store, revocations }),
    ],
    verifySidecar,
  };
}
