/** @agentcore/proxy: the sidecar, usable as a library (tests, the quick start) and as the `agentcore-proxy` binary. */
export { startProxy, type ProxyHandle, type ReloadResult, type StartOptions } from './start-proxy.js';
export { loadConfig, helpText, ProxyConfig, type ProxyConfigInput } from './config.js';
export { errorBody, ErrorCode, ProxyError, type ErrorBody } from './errors.js';
