/** @agentcore/admin-api: the control plane, as a library (tests, the quick start) and the `agentcore-admin` binary. */
export { startAdmin, type AdminHandle, type AdminStartOptions } from './server.js';
export { loadConfig, helpText, AdminConfig } from './config.js';
export { ADMIN_ERRORS, type AdminErrorCode, type AdminErrorEntry } from './admin-errors.js';
