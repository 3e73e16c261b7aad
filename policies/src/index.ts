/** @agentcore/policies: the policy bundle contract and the pure functions that evaluate it. */
export * from './schema.js';
export * from './validate-bundle.js';
export * from './json-schema.js';
export * from './normalize-path.js';
export * from './router.js';
export * from './rbac.js';
export * from './rate-limit.js';
export * from './rate-limit-key.js';
export * from './rate-limit-headers.js';
export * from './bundle-hash.js';
export * from './decide-access.js';
export * from './sidecar-protocol.js';
export * from './oauth-redirect-uri.js';
export * from './oauth-pkce.js';
export * from './oauth-scopes.js';
export * from './oauth-access-token-claims.js';
