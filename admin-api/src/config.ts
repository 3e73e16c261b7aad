/**
 * Control-plane configuration: every flag has an `AGENTCORE_ADMIN_*` environment variable; flags win.
 * Validated at start-up; a wrong value stops the process with a message saying what to fix.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7070')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
  })
  .refine((a) => a.port <= 65535, 'port must be 0-65535');

export const AdminConfig = z.object({
  listen: HostPort.default({ host: '127.0.0.1', port: 7070 }),
  database: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must be sqlite:./path/file.db or postgres://user@host:5432/db')
    .default('sqlite:./data/agentcore.db'),
  /** external URL (for the OpenAPI servers entry and Secure cookies) */
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  secureCookies: z.enum(['auto', 'true', 'false']).default('auto'),
  accessLogRetentionDays: z.coerce.number().int().min(1).max(3650).default(30),
  trustProxy: z.coerce.number().int().min(0).max(10).default(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type AdminConfig = z.infer<typeof AdminConfig>;

export const FLAGS: Record<string, { key: keyof z.input<typeof AdminConfig>; help: string }> = {
  listen: { key: 'listen', help: 'address host:port (default 127.0.0.1:7070)' },
  database: { key: 'database', help: 'sqlite:./data/agentcore.db (default, embedded) or postgres://user@host:5432/db' },
  'public-url': { key: 'publicUrl', help: 'the URL users reach the admin API at (OpenAPI servers; https → Secure cookies)' },
  'secure-cookies': { key: 'secureCookies', help: 'auto (default: from --public-url), true or false' },
  'access-log-retention-days': { key: 'accessLogRetentionDays', help: 'access-log records older than this are deleted (default 30)' },
  'trust-proxy': { key: 'trustProxy', help: 'number of reverse proxies in front whose X-Forwarded-For is believed (default 0)' },
  'log-level': { key: 'logLevel', help: 'info (default), warn, error, debug, silent' },
};

const envName = (flag: string): string => `AGENTCORE_ADMIN_${flag.toUpperCase().replace(/-/g, '_')}`;

export function helpText(): string {
  const lines = ['Usage: agentcore-admin [options]', '', 'The AgentCore control plane: policy store, signed bundles for sidecars, access-log store.', '', 'Options (each also an environment variable):'];
  for (const [flag, spec] of Object.entries(FLAGS)) lines.push(`  --${flag.padEnd(28)} ${envName(flag).padEnd(42)} ${spec.help}`);
  lines.push('', 'AGENTCORE_ADMIN_PASSWORD: the password of the first owner account "admin" (else one is generated and printed once).');
  return lines.join('\n');
}

export type ConfigResult = { ok: true; config: AdminConfig } | { ok: false; help: true } | { ok: false; help: false; errors: string[] };

export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const flag of Object.keys(FLAGS)) options[flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (e) {
    return { ok: false, help: false, errors: [`${(e as Error).message}; see --help`] };
  }
  if (values.help) return { ok: false, help: true };
  const input: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const v = values[flag] ?? env[envName(flag)];
    if (v !== undefined && v !== '') input[spec.key] = v;
  }
  const r = AdminConfig.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  const flagOf = (key: PropertyKey | undefined): string => {
    const entry = Object.entries(FLAGS).find(([, s]) => s.key === key);
    return entry ? `--${entry[0]} (${envName(entry[0])})` : String(key);
  };
  return { ok: false, help: false, errors: r.error.issues.map((i) => `${flagOf(i.path[0])}: ${i.message}`) };
}
