/**
 * Sidecar configuration: every flag has an `AGENTCORE_PROXY_*` environment variable; flags win.
 * Validated at start-up with zod; a wrong value stops the process with a message saying what to fix.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8080')
  .transform((s) => {
    const i = s.lastIndexOf(':');
    const host = s.slice(0, i).replace(/^\[|\]$/g, '');
    return { host, port: Number(s.slice(i + 1)) };
  })
  .refine((a) => a.port >= 0 && a.port <= 65535, 'port must be 0-65535');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The validated configuration. */
export const ProxyConfig = z
  .object({
    /** standalone mode: a bundle file */
    bundle: z.string().min(1).optional(),
    /** synced mode: the control plane's base URL */
    controlPlane: z.url({ protocol: /^https?$/, error: 'must be the admin API base URL, e.g. http://127.0.0.1:7070' }).optional(),
    service: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be the service name (a DNS label)').optional(),
    token: z.string().min(16, 'must be the per-service sidecar credential').optional(),
    bundlePublicKey: z.string().min(1).optional(),
    trustJwksUrl: z.url({ protocol: /^https?$/ }).optional(),
    cacheDir: z.string().min(1).optional(),
    instanceId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional(),
    statusIntervalMs: int(1000, 3_600_000).default(10_000),
    upstream: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:3000' }).transform((u) => new URL(u).origin),
    listen: HostPort.default({ host: '127.0.0.1', port: 8080 }),
    adminListen: HostPort.default({ host: '127.0.0.1', port: 9901 }),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    tlsMinVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.3'),
    trustedHops: int(0, 10).default(0),
    maxHeaderBytes: int(1024, 1024 * 1024).default(16384),
    maxUrlLength: int(64, 65536).default(8192),
    headersTimeoutMs: int(100, 600_000).default(10_000),
    requestTimeoutMs: int(0, 3_600_000).default(30_000),
    keepAliveTimeoutMs: int(100, 600_000).default(5_000),
    drainTimeoutMs: int(0, 600_000).default(10_000),
    upstreamConnections: int(1, 100_000).default(256),
    rateLimitMaxKeys: int(100, 100_000_000).default(100_000),
    workers: int(1, 64).default(1),
    wsMaxConnections: int(1, 1_000_000).default(9_000),
    redis: z.url({ protocol: /^rediss?$/, error: 'must be a Redis URL like redis://127.0.0.1:6379' }).optional(),
    redisFallback: z.enum(['local', 'open', 'closed']).default('local'),
    redisTimeoutMs: int(1, 10_000).default(100),
    cacheMaxBytes: int(1024, 64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
    watch: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((c, ctx) => {
    if (c.bundle === undefined && c.controlPlane === undefined) {
      ctx.addIssue({ code: 'custom', path: ['bundle'], message: 'give a bundle file with --bundle (standalone), or --control-plane with --service (synced)' });
    }
    if (c.bundle !== undefined && c.controlPlane !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['controlPlane'], message: 'choose one mode: --bundle (standalone) or --control-plane (synced), not both' });
    }
    if (c.controlPlane !== undefined) {
      for (const [key, flag] of [['service', '--service'], ['token', '--token'], ['cacheDir', '--cache-dir']] as const) {
        if (c[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `synced mode needs ${flag}` });
      }
      if ((c.bundlePublicKey === undefined) === (c.trustJwksUrl === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['bundlePublicKey'], message: 'synced mode needs exactly one of --bundle-public-key FILE or --trust-jwks-url URL to verify bundle signatures' });
      }
    }
    if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: 'give both --tls-cert and --tls-key, or neither' });
    }
  });
export type ProxyConfig = z.infer<typeof ProxyConfig>;
export type ProxyConfigInput = z.input<typeof ProxyConfig>;

interface FlagSpec {
  key: keyof ProxyConfigInput;
  help: string;
}

/** Flags, in --help order. */
export const FLAGS: Record<string, FlagSpec> = {
  bundle: { key: 'bundle', help: 'standalone: policy bundle JSON file (reloaded on SIGHUP and when it changes)' },
  'control-plane': { key: 'controlPlane', help: 'synced: admin API base URL; the signed bundle is long-polled from it' },
  service: { key: 'service', help: 'synced: the service whose bundle this sidecar enforces' },
  token: { key: 'token', help: 'synced: the per-service sidecar credential (prefer the environment variable)' },
  'bundle-public-key': { key: 'bundlePublicKey', help: 'synced: JWK or JWKS file with the control plane\'s bundle-signing public key(s)' },
  'trust-jwks-url': { key: 'trustJwksUrl', help: 'synced: or fetch the bundle-signing keys from this JWKS URL' },
  'cache-dir': { key: 'cacheDir', help: 'synced: directory for the last applied bundle (used when the control plane is down at start)' },
  'instance-id': { key: 'instanceId', help: 'synced: this sidecar\'s id in status reports (default hostname-pid)' },
  'status-interval-ms': { key: 'statusIntervalMs', help: 'synced: how often status is reported (default 10000)' },
  upstream: { key: 'upstream', help: 'the local backend this sidecar fronts, e.g. http://127.0.0.1:3000' },
  listen: { key: 'listen', help: 'traffic address host:port (default 127.0.0.1:8080)' },
  'admin-listen': { key: 'adminListen', help: 'admin address for /healthz /readyz /metrics /bundle (default 127.0.0.1:9901)' },
  'tls-cert': { key: 'tlsCert', help: 'PEM certificate file: serve HTTPS (then HSTS is sent)' },
  'tls-key': { key: 'tlsKey', help: 'PEM private key file' },
  'tls-min-version': { key: 'tlsMinVersion', help: 'TLSv1.3 (default) or TLSv1.2' },
  'trusted-hops': { key: 'trustedHops', help: 'number of trusted proxies in front whose X-Forwarded-For entries are believed (default 0)' },
  'max-header-bytes': { key: 'maxHeaderBytes', help: 'request header size limit → 431 (default 16384)' },
  'max-url-length': { key: 'maxUrlLength', help: 'request target length limit → 400 (default 8192)' },
  'headers-timeout-ms': { key: 'headersTimeoutMs', help: 'time to receive request headers (default 10000)' },
  'request-timeout-ms': { key: 'requestTimeoutMs', help: 'time to receive a whole request, 0 = none (default 30000)' },
  'keep-alive-timeout-ms': { key: 'keepAliveTimeoutMs', help: 'idle keep-alive time for client connections (default 5000)' },
  'drain-timeout-ms': { key: 'drainTimeoutMs', help: 'on SIGTERM, how long in-flight requests may finish (default 10000)' },
  'upstream-connections': { key: 'upstreamConnections', help: 'max connections per upstream origin (default 256)' },
  'rate-limit-max-keys': { key: 'rateLimitMaxKeys', help: 'in-memory rate-limit counters kept at most, LRU (default 100000)' },
  'ws-max-connections': { key: 'wsMaxConnections', help: 'WebSocket connections relayed at most by one process; each holds two sockets (default 9000)' },
  workers: { key: 'workers', help: 'worker processes sharing the traffic port (node:cluster); without --redis each keeps 1/N of every limit (default 1)' },
  redis: { key: 'redis', help: 'share rate-limit counters across sidecars in Redis, e.g. redis://127.0.0.1:6379' },
  'redis-fallback': { key: 'redisFallback', help: 'when Redis is down or slow: local (default, per-process limits), open (admit), closed (503)' },
  'redis-timeout-ms': { key: 'redisTimeoutMs', help: 'Redis command timeout; no request waits longer (default 100)' },
  'cache-max-bytes': { key: 'cacheMaxBytes', help: 'memory bound of the response cache in bytes (default 67108864)' },
  watch: { key: 'watch', help: 'reload the bundle when the file changes: true (default) or false' },
  'log-level': { key: 'logLevel', help: 'process log level (access log lines are info): info (default), warn, error, debug, silent' },
};

const envName = (flag: string): string => `AGENTCORE_PROXY_${flag.toUpperCase().replace(/-/g, '_')}`;

export function helpText(): string {
  const lines = [
    'Usage: agentcore-proxy --bundle FILE --upstream URL [options]                      (standalone)',
    '       agentcore-proxy --control-plane URL --service NAME --token T --cache-dir DIR',
    '                       (--bundle-public-key FILE | --trust-jwks-url URL) --upstream URL [options]  (synced)',
    '', 'The AgentCore sidecar: authenticates, authorises and rate-limits requests before they reach the backend.', '', 'Options (each also an environment variable):'];
  for (const [flag, spec] of Object.entries(FLAGS)) lines.push(`  --${flag.padEnd(22)} ${envName(flag).padEnd(40)} ${spec.help}`);
  lines.push(`  --${'help'.padEnd(22)} ${''.padEnd(40)} this text`, '', 'Signals: SIGHUP reloads the bundle; SIGTERM/SIGINT drain and exit 0.');
  return lines.join('\n');
}

export type ConfigResult = { ok: true; config: ProxyConfig } | { ok: false; help: true } | { ok: false; help: false; errors: string[] };

/** Reads flags and environment; never throws. */
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
  const r = ProxyConfig.safeParse(input);
  if (r.success) return { ok: true, config: r.data };
  const flagOf = (key: PropertyKey | undefined): string => {
    const entry = Object.entries(FLAGS).find(([, s]) => s.key === key);
    return entry ? `--${entry[0]} (${envName(entry[0])})` : String(key);
  };
  return { ok: false, help: false, errors: r.error.issues.map((i) => `${flagOf(i.path[0])}: ${i.message}`) };
}
