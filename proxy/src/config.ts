/**
 * Sidecar configuration: each field below is one flag (`--kebab-case`) with an `AGENTCORE_PROXY_*` environment
 * variable; flags win. Help and defaults in `--help` come from these declarations. Validated at start-up; a wrong
 * value stops the process with a message naming the flag to fix.
 */
import { hostPort, intFlag as int, loadCliConfig, helpText as cliHelpText, type CliSpec, type ConfigResult as CliConfigResult } from '@agentcore/cli-config';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** The validated configuration; field order is the `--help` order. */
export const ProxyConfig = z
  .object({
    bundle: z.string().min(1).optional().describe('standalone: policy bundle JSON file (reloaded on SIGHUP and when it changes)'),
    controlPlane: z
      .url({ protocol: /^https?$/, error: 'must be the admin API base URL, e.g. http://127.0.0.1:7070' })
      .optional()
      .describe('synced: admin API base URL; the signed bundle is long-polled from it'),
    service: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be the service name (a DNS label)')
      .optional()
      .describe('synced: the service whose bundle this sidecar enforces'),
    token: z.string().min(16, 'must be the per-service sidecar credential').optional().describe('synced: the per-service sidecar credential (prefer the environment variable)'),
    bundlePublicKey: z.string().min(1).optional().describe("synced: JWK or JWKS file with the control plane's bundle-signing public key(s)"),
    trustJwksUrl: z.url({ protocol: /^https?$/ }).optional().describe('synced: or fetch the bundle-signing keys from this JWKS URL'),
    cacheDir: z.string().min(1).optional().describe('synced: directory for the last applied bundle (used when the control plane is down at start)'),
    instanceId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional().describe("synced: this sidecar's id in status reports (default hostname-pid)"),
    statusIntervalMs: int(1000, 3_600_000).default(10_000).describe('synced: how often status is reported'),
    upstream: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL like http://127.0.0.1:3000' })
      .transform((u) => new URL(u).origin)
      .describe('the local backend this sidecar fronts, e.g. http://127.0.0.1:3000'),
    listen: hostPort('127.0.0.1:8080').prefault('127.0.0.1:8080').describe('traffic address host:port'),
    adminListen: hostPort('127.0.0.1:9901').prefault('127.0.0.1:9901').describe('admin address for /healthz /readyz /metrics /bundle'),
    tlsCert: z.string().optional().describe('PEM certificate file: serve HTTPS (then HSTS is sent)'),
    tlsKey: z.string().optional().describe('PEM private key file'),
    tlsMinVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.3').describe('TLSv1.3 or TLSv1.2'),
    tlsReloadIntervalMs: int(1000, 86_400_000).default(60_000).describe('re-read the TLS files this often (they are also watched); a changed valid pair serves new connections'),
    trustedHops: int(0, 10).default(0).describe('number of trusted proxies in front whose X-Forwarded-For entries are believed'),
    maxHeaderBytes: int(1024, 1024 * 1024).default(16384).describe('request header size limit → 431'),
    maxUrlLength: int(64, 65536).default(8192).describe('request target length limit → 400'),
    headersTimeoutMs: int(100, 600_000).default(10_000).describe('time to receive request headers'),
    requestTimeoutMs: int(0, 3_600_000).default(30_000).describe('time to receive a whole request, 0 = none'),
    keepAliveTimeoutMs: int(100, 600_000).default(5_000).describe('idle keep-alive time for client connections'),
    maxConnections: int(1, 10_000_000).default(10_000).describe('client connections open at once per process; extras get 503 + Retry-After and are closed'),
    maxConnectionsPerClient: int(1, 10_000_000).optional().describe('client connections open at once per client address (the TCP peer); extras get 503 (default 1000, or --max-connections if lower)'),
    drainTimeoutMs: int(0, 600_000).default(10_000).describe('on SIGTERM, how long in-flight requests may finish'),
    upstreamConnections: int(1, 100_000).default(256).describe('max connections per upstream origin'),
    rateLimitMaxKeys: int(100, 100_000_000).default(100_000).describe('in-memory rate-limit counters kept at most, LRU'),
    wsMaxConnections: int(1, 1_000_000).default(9_000).describe('WebSocket connections relayed at most by one process; each holds two sockets'),
    workers: z
      .union([z.literal('auto'), int(1, 64)], { error: 'must be auto or a whole number from 1 to 64' })
      .transform((v) => (v === 'auto' ? Math.min(64, availableParallelism()) : v))
      .default(1)
      .describe('worker processes sharing the traffic port (node:cluster), or auto = one per CPU this process may run on (the production setting); without --redis each keeps 1/N of every limit'),
    redis: z
      .url({ protocol: /^rediss?$/, error: 'must be a Redis URL like redis://127.0.0.1:6379' })
      .optional()
      .describe('share rate-limit counters across sidecars in Redis, e.g. redis://127.0.0.1:6379'),
    eventsRedis: z
      .url({ protocol: /^rediss?$/, error: 'must be a Redis URL like redis://127.0.0.1:6379' })
      .optional()
      .describe('event routes: Redis Streams bus shared by sidecars (default: the --redis URL when given, else an in-process bus)'),
    redisFallback: z.enum(['local', 'open', 'closed']).default('local').describe('when Redis is down or slow: local (per-process limits), open (admit), closed (503)'),
    redisTimeoutMs: int(1, 10_000).default(100).describe('Redis command timeout; no request waits longer'),
    cacheMaxBytes: int(1024, 64 * 1024 * 1024 * 1024).default(64 * 1024 * 1024).describe('memory bound of the response cache in bytes'),
    watch: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true')
      .describe('reload the bundle when the file changes: true or false'),
    exitOnFile: z.string().min(1).optional().describe('drain and exit 0 once this file exists (Kubernetes < 1.29: the Job app writes it in a shared emptyDir)'),
    dnsServers: z
      .string()
      .regex(/^[0-9a-fA-F.:[\]]+(,[0-9a-fA-F.:[\]]+)*$/, 'must be resolver addresses ip or ip:port, comma-separated')
      .optional()
      .describe("resolvers for upstreams with discovery.dns, ip or ip:port, comma-separated (default the system's)"),
    otlpEndpoint: z
      .url({ protocol: /^https?$/, error: 'must be the OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces' })
      .optional()
      .describe('OpenTelemetry: export one span per request over OTLP/HTTP to this URL (tracing is off without it)'),
    traceSampleRatio: z.coerce.number().min(0).max(1).default(1).describe('share of new traces sampled, 0..1 (a caller\'s sampled traceparent is followed)'),
    otlpHeaders: z
      .string()
      .regex(/^[^=,\s]+=[^,]*(,[^=,\s]+=[^,]*)*$/, 'must be name=value pairs separated by commas')
      .optional()
      .describe('headers for the collector, name=value,… (e.g. an auth token; prefer the environment variable)'),
    traceServiceName: z.string().min(1).max(128).default('agentcore-proxy').describe('service.name of the spans'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('process log level (access log lines are info): info, warn, error, debug, silent'),
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
    // Node refuses a headers timeout above the request timeout ("headersTimeout is out of range"): say which flags.
    if (c.requestTimeoutMs > 0 && c.headersTimeoutMs > c.requestTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], message: `--headers-timeout-ms (${c.headersTimeoutMs}) must not exceed --request-timeout-ms (${c.requestTimeoutMs}): lower --headers-timeout-ms or raise --request-timeout-ms` });
    }
    if (c.maxConnectionsPerClient !== undefined && c.maxConnectionsPerClient > c.maxConnections) {
      ctx.addIssue({ code: 'custom', path: ['maxConnectionsPerClient'], message: `--max-connections-per-client (${c.maxConnectionsPerClient}) must not exceed --max-connections (${c.maxConnections})` });
    }
    if (c.exitOnFile !== undefined && c.workers > 1) {
      ctx.addIssue({ code: 'custom', path: ['exitOnFile'], message: '--exit-on-file works with one process: drop --workers (the primary would restart exiting workers)' });
    }
    if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['tlsCert'], message: 'give both --tls-cert and --tls-key, or neither' });
    }
  });
export type ProxyConfig = z.infer<typeof ProxyConfig>;
export type ProxyConfigInput = z.input<typeof ProxyConfig>;

const CLI: CliSpec = {
  envPrefix: 'AGENTCORE_PROXY_',
  usage: [
    'Usage: agentcore-proxy --bundle FILE --upstream URL [options]                      (standalone)',
    '       agentcore-proxy --control-plane URL --service NAME --token T --cache-dir DIR',
    '                       (--bundle-public-key FILE | --trust-jwks-url URL) --upstream URL [options]  (synced)',
  ],
  description: 'The AgentCore sidecar: authenticates, authorises and rate-limits requests before they reach the backend.',
  footer: ['Signals: SIGHUP reloads the bundle; SIGTERM/SIGINT drain and exit 0.'],
};

/** The `--help` text, printed from the declarations above. */
export function helpText(): string {
  return cliHelpText(ProxyConfig, CLI);
}

export type ConfigResult = CliConfigResult<ProxyConfig>;

/** Reads flags and environment; never throws. */
export function loadConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  return loadCliConfig(ProxyConfig, CLI, argv, env);
}
