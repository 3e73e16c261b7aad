/**
 * Control-plane configuration: each field below is one flag (`--kebab-case`) with an `AGENTCORE_ADMIN_*`
 * environment variable; flags win. Help and defaults in `--help` come from these declarations. Validated at
 * start-up; a wrong value stops the process with a message naming the flag to fix.
 */
import { helpText as cliHelpText, hostPort, intFlag, loadCliConfig, type CliSpec, type ConfigResult as CliConfigResult } from '@agentcore/cli-config';
import { z } from 'zod';

/** The validated configuration; field order is the `--help` order. */
export const AdminConfig = z.object({
  listen: hostPort('127.0.0.1:7070').prefault('127.0.0.1:7070').describe('address host:port'),
  database: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must be sqlite:./path/file.db or postgres://user@host:5432/db')
    .default('sqlite:./data/agentcore.db')
    .describe('sqlite:./path/file.db (embedded) or postgres://user@host:5432/db'),
  publicUrl: z.url({ protocol: /^https?$/ }).optional().describe('the URL users reach the admin API at (OpenAPI servers; https → Secure cookies)'),
  tlsCert: z.string().min(1).optional().describe('PEM certificate file: serve HTTPS (TLS 1.3, HSTS); reloaded when it changes'),
  tlsKey: z.string().min(1).optional().describe('PEM private key file'),
  tlsReloadIntervalMs: intFlag(1000, 86_400_000).default(60_000).describe('re-read the TLS files this often (they are also watched)'),
  secureCookies: z.enum(['auto', 'true', 'false']).default('auto').describe('auto (from --public-url), true or false'),
  accessLogRetentionDays: intFlag(1, 3650).default(30).describe('access-log records older than this are deleted'),
  redis: z
    .url({ protocol: /^rediss?$/, error: 'must be a Redis URL like redis://127.0.0.1:6379' })
    .optional()
    .describe('keep the login brute-force counters in Redis (shared by replicas); default: the database'),
  oauthAccessTokenSeconds: intFlag(30, 3600).default(600).describe('lifetime of OAuth access tokens a client does not set its own for (seconds)'),
  oauthRefreshTokenSeconds: intFlag(60, 90 * 86_400).default(86_400).describe('lifetime of OAuth refresh tokens a client does not set its own for (seconds)'),
  oauthExchangedTokenSeconds: intFlag(30, 3600).default(300).describe('lifetime of access tokens exchanged for an API key (seconds)'),
  trustProxy: intFlag(0, 10).default(0).describe('number of reverse proxies in front whose X-Forwarded-For is believed'),
  metricsPublic: z.enum(['true', 'false']).default('false').describe('true: GET /metrics needs no credential (else the read permission: a session or an auditor PAT)'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('info, warn, error, debug, silent'),
}).refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), { path: ['tlsCert'], message: 'give both --tls-cert and --tls-key, or neither' });
export type AdminConfig = z.infer<typeof AdminConfig>;

const CLI: CliSpec = {
  envPrefix: 'AGENTCORE_ADMIN_',
  usage: ['Usage: agentcore-admin [options]'],
  description: 'The AgentCore control plane: policy store, signed bundles for sidecars, access-log store.',
  footer: [
    'AGENTCORE_ADMIN_PASSWORD: the password of the first owner account "admin" (else one is generated and printed once);',
    '  ignored (with a warning) once the owner exists. To change it later:',
    '  AGENTCORE_ADMIN_PASSWORD=<new> agentcore-admin reset-owner-password --database <same database>',
  ],
};

/** The `--help` text, printed from the declarations above. */
export function helpText(): string {
  return cliHelpText(AdminConfig, CLI);
}

export type ConfigResult = CliConfigResult<AdminConfig>;

/** Reads flags and environment; never throws. */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  return loadCliConfig(AdminConfig, CLI, argv, env);
}
