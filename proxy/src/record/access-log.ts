/**
 * One structured access-log line per request (pino), at the detail level the bundle asks for.
 * Credentials never reach the log: `Authorization`, cookies and API keys are replaced by
 * "[REDACTED]", and so are the query parameters and headers the bundle names.
 */
import type { RequestContext } from '../pipeline/request-context.js';

/** Where access lines go: the same destination as the process log (pino's sonic-boom, or a test stream). */
export interface AccessLogSink {
  write(line: string): unknown;
}

const REDACTED = '[REDACTED]';

/**
 * Query parameter names that look like credentials, redacted whatever the bundle lists (issue #9): tokens, keys,
 * secrets, passwords, signatures, sessions, `auth*`, `jwt`.
 */
const CREDENTIAL_LIKE = /token|secret|passw|pwd|api[-_]?key|^key$|signature|^sig$|^jwt$|^auth|credential|session/i;

/** Replaces the values of the named query parameters (case-insensitive names) and of credential-looking ones. */
export function redactQuery(query: string, names: ReadonlySet<string>): string {
  if (query === '') return query;
  let changed = false;
  const parts = query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const eq = p.indexOf('=');
    const rawName = eq === -1 ? p : p.slice(0, eq);
    let name = rawName;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      /* keep the raw name */
    }
    if (names.has(name.toLowerCase()) || CREDENTIAL_LIKE.test(name)) {
      parts[i] = `${rawName}=${REDACTED}`;
      changed = true;
    }
  }
  return changed ? parts.join('&') : query;
}

/** Request headers as logged at level `full`: redacted ones replaced. */
export function redactedHeaders(raw: readonly string[], redact: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = redact.has(name) ? REDACTED : raw[i + 1]!;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/**
 * Collects access lines and hands them to the destination in batches (every 128 lines, or 50 ms after
 * the first waiting line): one write call per batch instead of one per request was worth ~7% of
 * pass-through throughput (docs/benchmarks.md). `flush()` on shutdown.
 */
export class AccessLogBatcher implements AccessLogSink {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly destination: AccessLogSink,
    private readonly maxLines = 128,
    private readonly maxDelayMs = 50,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length >= this.maxLines) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.lines.length === 0) return;
    const text = this.lines.join('');
    this.lines = [];
    this.destination.write(text);
  }
}

const ms = (x: number): number => Math.round(x * 100) / 100;

/**
 * Writes the access-log line of a finished request. The line has pino's shape (`level` 30, `time`,
 * `svc`, `msg: "access"`) and goes to pino's destination, but is serialised with one
 * `JSON.stringify` of a flat object instead of pino's per-key serialisers: that was ~5% of a
 * pass-through request's CPU (docs/benchmarks.md).
 */
export function logAccess(sink: AccessLogSink, ctx: RequestContext, status: number, end: number): void {
  const policy = ctx.policy;
  const level = policy.logLevel;
  if (level === 'none') return;
  const line: Record<string, unknown> = {
    level: 30,
    time: new Date().toISOString(),
    svc: 'agentcore-proxy',
    msg: 'access',
    request_id: ctx.requestId,
    method: ctx.method,
    path: ctx.path,
    route: ctx.route?.id ?? null,
    status,
    latency_ms: ms(end - ctx.startedAt),
    decision: ctx.decision,
    reason: ctx.reason,
    client: ctx.clientAddress,
  };
  if (level !== 'minimal') {
    line.trace_id = ctx.traceId;
    if (ctx.query !== '') line.query = redactQuery(ctx.query, policy.redactQueryParams);
    line.upstream_ms = ctx.upstreamStart === 0 ? null : ms((ctx.upstreamEnd || end) - ctx.upstreamStart);
    line.principal = ctx.principal?.id ?? null;
    line.auth_method = ctx.principal?.method ?? null;
    line.credential = ctx.principal?.credentialId ?? null;
    line.bytes_in = ctx.bytesIn;
    line.bytes_out = ctx.bytesOut;
    if (ctx.authFailure) line.auth_failure = ctx.authFailure;
    if (ctx.upstreamError) line.upstream_error = ctx.upstreamError;
    const ua = ctx.req.headers['user-agent'];
    if (ua) line.user_agent = ua;
  }
  if (level === 'full') line.request_headers = redactedHeaders(ctx.req.rawHeaders, policy.redactHeaders);
  sink.write(JSON.stringify(line) + '\n');
}
