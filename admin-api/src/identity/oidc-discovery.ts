/** OIDC discovery with oauth4webapi, with a timeout; http:// issuers are allowed only on loopback (validated in OidcConfig). */
import * as oauth from 'oauth4webapi';
import type { OidcConfig } from './oidc-config.js';

/** oauth4webapi options for one provider: timeout signal and, for a loopback http issuer, insecure requests. */
export const httpOptions = (cfg: OidcConfig): { signal: AbortSignal; [oauth.allowInsecureRequests]?: boolean } => ({
  signal: AbortSignal.timeout(cfg.timeoutMs),
  ...(cfg.issuer.startsWith('http:') ? { [oauth.allowInsecureRequests]: true } : {}),
});

/** Fetches and checks the provider's metadata (the issuer in it must equal the configured one). */
export async function discover(cfg: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(cfg.issuer);
  const res = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...httpOptions(cfg) });
  return oauth.processDiscoveryResponse(issuer, res);
}
