/**
 * The control plane's OAuth 2.0 authorization server: /oauth/* (token, authorize, revoke, introspect,
 * userinfo), discovery and JWKS under /.well-known, and the admin resources (OAuth clients, signing keys,
 * per-service introspection endpoints). See docs/oauth.md.
 *
 * Wiring (server.ts): `const oauth = await createOAuth({ store, log, onPolicyChange: (s, a) => bundles.onPolicyChange(s, a), secureCookies });`
 * add `...oauth.endpoints` to the endpoint list, call `oauth.mount(a)` first inside createApp's `mount`, and
 * after listen `await oauth.setIssuer(config.publicUrl ?? url)`.
 */
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Actor } from '../auth/admin-roles.js';
import type { EndpointSpec } from '../http/endpoint.js';
import { storeFailureLog } from '../identity/failure-logs.js';
import { createSharedLoginThrottle, type SharedLoginThrottle } from '../identity/shared-login-throttle.js';
import type { KeyRing } from '../secrets/envelope.js';
import { isStoreError, type Store } from '../store/index.js';
import { listOAuthClients } from '../store/oauth-clients-repo.js';
import { deleteExpiredOAuthRows } from '../store/oauth-tokens-repo.js';
import { OAUTH_ISSUER_SETTING, getOAuthSetting, setOAuthSetting } from '../store/oauth-settings-repo.js';
import { handleAuthorizeGet, handleAuthorizePost } from './authorization-endpoint.js';
import { introspectionEndpointResource } from './introspection-endpoint-resource.js';
import { handleIntrospection } from './introspection-endpoint.js';
import { createLocalPasswordVerifier } from './local-password-verifier.js';
import { serverMetadata, sendPublicJson } from './metadata-endpoints.js';
import { oauthClientEndpoints } from './oauth-client-endpoints.js';
import { DEFAULT_LIFETIMES, MAX_ACCESS_TOKEN_SECONDS, type OAuthContext, type OAuthLifetimes } from './oauth-context.js';
import { OAuthError, sendOAuthError } from './oauth-error.js';
import { oauthDocEndpoints } from './openapi-docs.js';
import type { PasswordRouter, PasswordVerifier } from './password-verifier.js';
import { handleRevocation } from './revocation-endpoint.js';
import { signingKeyEndpoints } from './signing-key-endpoints.js';
import { createSigningKeys } from './signing-keys.js';
import { tokenCors } from './token-cors.js';
import { handleTokenRequest } from './token-endpoint.js';
import { handleUserinfo } from './userinfo-endpoint.js';

export type { PasswordRouter, PasswordVerifier, PasswordCheck, VerifiedUser } from './password-verifier.js';
export { API_KEY_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from './grant-token-exchange.js';

export interface OAuthDeps {
  store: Store;
  log: Logger;
  /** the bundle service's onPolicyChange: a revocation or client change republishes the service's bundle */
  onPolicyChange(service: string, actor: Actor): void;
  now?: () => number;
  lifetimes?: Partial<OAuthLifetimes>;
  /** LDAP/OIDC verifiers, asked after the local users */
  verifiers?: readonly PasswordVerifier[];
  /** the identity providers' router (#13: `identity.registry.route`), asked before the verifiers */
  route?: PasswordRouter;
  /** the provider `route` falls back to (e.g. `local`, or the directory) */
  defaultProvider?: string;
  secureCookies?: boolean;
  /** the issuer URL, if known before listening (else call setIssuer) */
  issuer?: string;
  /** encrypts the token signing keys' private halves at rest (AGENTCORE_SECRET_KEY) */
  keyRing?: KeyRing;
  /** the console login's brute-force throttle (`auth.throttle`), so both count the same failures; default: one over the store's login_failures */
  throttle?: SharedLoginThrottle;
}

export interface OAuthServer {
  /** admin resources and the OpenAPI entries of /oauth/* */
  endpoints: EndpointSpec<never, never, never>[];
  /** mounts /oauth/* and /.well-known/* (before the API router and its JSON body parser) */
  mount(app: Express): void;
  /** sets `iss` (stored, so every replica and the bundle compiler use the same); republishes when it changed */
  setIssuer(url: string): Promise<void>;
  context: OAuthContext;
  /** stops the hourly clean-up of expired tokens and codes */
  close(): void;
}

const SYSTEM_ACTOR: Actor = { username: 'oauth-server', role: 'owner', via: 'token' };

/** Builds the authorization server. */
export async function createOAuth(deps: OAuthDeps): Promise<OAuthServer> {
  const now = deps.now ?? Date.now;
  const log = deps.log.child({ module: 'oauth' });
  let issuer = deps.issuer?.replace(/\/+$/, '') ?? (await getOAuthSetting(deps.store, OAUTH_ISSUER_SETTING));
  const lifetimes = { ...DEFAULT_LIFETIMES, ...deps.lifetimes };
  const keys = createSigningKeys(deps.store, now, Math.max(MAX_ACCESS_TOKEN_SECONDS, lifetimes.accessTokenSeconds, lifetimes.idTokenSeconds) * 1000 + 60_000, deps.keyRing);
  const ctx: OAuthContext = {
    store: deps.store,
    now,
    issuer: () => {
      if (issuer === undefined) throw new OAuthError('server_error', 'the authorization server has no issuer URL yet');
      return issuer;
    },
    keys,
    lifetimes,
    verifiers: [await createLocalPasswordVerifier(deps.store), ...(deps.verifiers ?? [])],
    ...(deps.route === undefined ? {} : { route: deps.route }),
    ...(deps.defaultProvider === undefined ? {} : { defaultProvider: deps.defaultProvider }),
    throttle: deps.throttle ?? createSharedLoginThrottle(storeFailureLog(deps.store)),
    onRevoked: (services) => {
      for (const s of services) deps.onPolicyChange(s, SYSTEM_ACTOR);
    },
  };
  if (deps.issuer !== undefined && issuer !== undefined) await setOAuthSetting(deps.store, OAUTH_ISSUER_SETTING, issuer);
  await keys.current();
  const resourceDeps = { store: deps.store, onPolicyChange: deps.onPolicyChange, now };
  // Rows are kept a day past expiry (introspection of a just-expired token says inactive either way).
  const cleanup = setInterval(() => void deleteExpiredOAuthRows(deps.store, now() - 86_400_000).catch((err: unknown) => log.warn({ err }, 'OAuth clean-up failed')), 3_600_000);
  cleanup.unref();

  const handle = (fn: (req: Request, res: Response) => Promise<void>): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    fn(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof OAuthError) return sendOAuthError(res, err);
      if (isStoreError(err) && err.code === 'ADMIN_STORE_UNAVAILABLE') return sendOAuthError(res, new OAuthError('temporarily_unavailable', 'the store is unavailable; retry later', 503));
      log.error({ err, path: req.path }, 'OAuth endpoint failed');
      sendOAuthError(res, new OAuthError('server_error', 'the authorization server failed; report the x-request-id'));
      void next;
    });
  };

  return {
    context: ctx,
    endpoints: [...oauthClientEndpoints(resourceDeps), ...introspectionEndpointResource(resourceDeps), ...signingKeyEndpoints({ store: deps.store, keys, now, onPolicyChange: deps.onPolicyChange }), ...oauthDocEndpoints()],
    mount(app) {
      app.use(['/oauth/token', '/oauth/revoke'], tokenCors(deps.store));
      app.post('/oauth/token', handle((req, res) => handleTokenRequest(ctx, req, res)));
      app.post('/oauth/revoke', handle((req, res) => handleRevocation(ctx, req, res)));
      app.post('/oauth/introspect', handle((req, res) => handleIntrospection(ctx, req, res)));
      app.get('/oauth/userinfo', handle((req, res) => handleUserinfo(ctx, req, res)));
      app.post('/oauth/userinfo', handle((req, res) => handleUserinfo(ctx, req, res)));
      app.get('/oauth/authorize', handle(handleAuthorizeGet(ctx, deps.secureCookies ?? false)));
      app.post('/oauth/authorize', handle(handleAuthorizePost(ctx)));
      app.get('/.well-known/jwks.json', handle(async (_req, res) => sendPublicJson(res, { keys: await keys.jwks() }, 60)));
      app.get('/.well-known/oauth-authorization-server', handle(async (_req, res) => sendPublicJson(res, serverMetadata(ctx, false), 300)));
      app.get('/.well-known/openid-configuration', handle(async (_req, res) => sendPublicJson(res, serverMetadata(ctx, true), 300)));
    },
    close: () => clearInterval(cleanup),
    async setIssuer(url) {
      const next = url.replace(/\/+$/, '');
      const stored = await getOAuthSetting(deps.store, OAUTH_ISSUER_SETTING);
      issuer = next;
      if (stored === next) return;
      await setOAuthSetting(deps.store, OAUTH_ISSUER_SETTING, next);
      for (const s of new Set((await listOAuthClients(deps.store)).flatMap((c) => c.audiences))) deps.onPolicyChange(s, SYSTEM_ACTOR);
    },
  };
}
