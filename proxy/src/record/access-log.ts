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

/** Characters that make a string need JSON escaping: quote, backslash, controls, and surrogates (lone ones are escaped). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point: JSON must escape them
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A JSON string literal, byte for byte what `JSON.stringify(s)` gives; the common case is a plain concatenation. */
function str(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** `str` for a nullable value. */
function strOrNull(s: string | null | undefined): string {
  return s === null || s === undefined ? 'null' : str(s);
}

/** A JSON number as `JSON.stringify` writes it (non-finite → null). */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/**
 * `num(ms(x))` without converting a double: milliseconds with at most two decimals, from integers (V8 caches the
 * strings of small integers; a double's shortest form is computed each time). Same text (a property test checks it).
 */
function msText(x: number): string {
  const r = Math.round(x * 100);
  if (!(r >= 0 && r < 1e15)) return num(r / 100);
  const frac = r % 100;
  const whole = (r - frac) / 100;
  if (frac === 0) return String(whole);
  if (frac < 10) return `${whole}.0${frac}`;
  return frac % 10 === 0 ? `${whole}.${frac / 10}` : `${whole}.${frac}`;
}

/** `new Date(ms).toISOString()`, computed once per millisecond (many requests end in the same one under load). */
let isoMs = -1;
let isoText = '';
function isoTime(now: number): string {
  if (now !== isoMs) {
    isoMs = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

/**
 * Writes the access-log line of a finished request. The line has pino's shape (`level` 30, `time`,
 * `svc`, `msg: "access"`) and goes to pino's destination. It is built as one string from fixed
 * fields in a fixed order — the same bytes `JSON.stringify` gives for the same object (a property
 * test checks it), without building that object: the object, its serialisation and
 * `toISOString()` were most of the access log's cost per request (docs/benchmarks.md, issue #16).
 */
export function logAccess(sink: AccessLogSink, ctx: RequestContext, status: number, end: number): void {
  const policy = ctx.policy;
  const level = policy.logLevel;
  if (level === 'none') return;
  let line =
    `{"level":30,"time":"${isoTime(Date.now())}","svc":"agentcore-proxy","msg":"access","request_id":${str(ctx.requestId)}` +
    `,"method":${str(ctx.method)},"path":${str(ctx.path)},"route":${strOrNull(ctx.route?.id)},"status":${num(status)}` +
    `,"latency_ms":${msText(end - ctx.startedAt)},"decision":${str(ctx.decision)},"reason":${str(ctx.reason)},"client":${str(ctx.clientAddress)}`;
  if (level !== 'minimal') {
    line += `,"trace_id":${str(ctx.traceId)}`;
    if (ctx.query !== '') line += `,"query":${str(redactQuery(ctx.query, policy.redactQueryParams))}`;
    const p = ctx.principal;
    line +=
      `,"upstream_ms":${ctx.upstreamStart === 0 ? 'null' : msText((ctx.upstreamEnd || end) - ctx.upstreamStart)}` +
      `,"principal":${strOrNull(p?.id)},"auth_method":${strOrNull(p?.method)},"credential":${strOrNull(p?.credentialId)}` +
      `,"bytes_in":${num(ctx.bytesIn)},"bytes_out":${num(ctx.bytesOut)}`;
    if (ctx.authFailure) line += `,"auth_failure":${str(ctx.authFailure)}`;
    if (ctx.upstreamError) line += `,"upstream_error":${str(ctx.upstreamError)}`;
    const ua = ctx.req.headers['user-agent'];
    if (ua) line += `,"user_agent":${str(ua)}`;
  }
  if (level === 'full') line += `,"request_headers":${JSON.stringify(redactedHeaders(ctx.req.rawHeaders, policy.redactHeaders))}`;
  sink.write(line + '}\n');
}
