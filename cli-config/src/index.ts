/** @agentcore/cli-config: one declaration per flag (a zod field with `.describe(help)`), read from argv and env. */
export * from './cli-config.js';
export * from './host-port.js';
export * from './tls-files.js';
