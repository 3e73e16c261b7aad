/** @agentcore/proxy: the sidecar, usable as a library (tests, the quick start) and as the `agentcore-proxy` binary. */
export { startProxy, type ProxyHandle, type ReloadResult, type StartOptions } from './start-proxy.js';
export { loadConfig, helpText, ProxyConfig, type ProxyConfigInput } from './config.js';
export { ProxyError, type ProxyErrorCode } from './errors.js';
export { PROXY_REASONS, statusOf, type ReasonCode, type ReasonSpec } from './pipeline/reasons.js';
export { createBundleSync, type BundleSync } from './sync/bundle-sync.js';
