/**
 * The forward stage: the only code that touches the upstream. It asks the route's upstream cluster
 * for admission (circuit breaker, concurrency), picks a target (load balancing, health, outlier
 * ejection), streams the request body to that target's undici pool with a low-level dispatch handler
 * and streams the response back with backpressure, never buffering a whole body
 * (PERFORMANCE-NOTES.md: `dispatch` was ~20% faster than `request`+pipe). Idempotent requests
 * without a body are retried on the configured outcomes, within the retry budget and the total timeout.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { applyHeaderTransform } from './header-transform.js';
import { connectionListed, HOP_BY_HOP, isIdentityHeader, SPOOFABLE_REQUEST } from './hop-by-hop.js';
import type { Respond } from '../pipeline/stage.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { MISS_HEADERS, type Capture } from '../cache/response-cache.js';
import { finishUpstreamHeaders } from './response-headers.js';
import type { Admission } from '../upstream/circuit-breaker.js';
import { isFailedTry, type TryOutcome } from '../upstream/try-outcome.js';
import type { Target, UpstreamCluster } from '../upstream/upstream-cluster.js';

/** Called once per request when forwarding ended: with a Respond when the proxy must answer instead. */
export type ForwardDone = (ctx: RequestContext, failure: Respond | undefined) => void;

class BodyTooLargeError extends Error {
  readonly code = 'PROXY_BODY_TOO_LARGE';
}

/** Counts a chunked request body and fails once it passes the route's limit. */
class BodyLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly max: number,
    private readonly ctx: RequestContext,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    this.ctx.bytesIn = this.seen;
    if (this.seen > this.max) cb(new BodyTooLargeError(`request body exceeds ${this.max} bytes`));
    else cb(null, chunk);
  }
}

/** Builds the header list sent upstream: client headers minus hop-by-hop/spoofable/identity ones, then ours. */
export function upstreamRequestHeaders(ctx: RequestContext): string[] {
  const raw = ctx.req.rawHeaders;
  const listed = connectionListed(ctx.req.headers.connection);
  let out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || SPOOFABLE_REQUEST.has(lower) || isIdentityHeader(lower) || lower === 'expect') continue;
    if (listed?.has(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  const route = ctx.route!;
  if (route.requestTransform) out = applyHeaderTransform(out, route.requestTransform);
  out.push(
    'x-forwarded-for',
    ctx.forwardedFor,
    'x-forwarded-proto',
    ctx.forwardedProto,
    'x-request-id',
    ctx.requestId,
    'traceparent',
    ctx.traceparent,
  );
  if (ctx.host !== undefined) out.push('x-forwarded-host', ctx.host);
  const p = ctx.principal;
  if (p && !route.isPublic) {
    out.push('x-auth-subject', p.id, 'x-auth-method', p.method, 'x-auth-roles', p.roles.join(','), 'x-auth-credential', p.credentialId);
    if (p.scopes.length) out.push('x-auth-scopes', p.scopes.join(' '));
  }
  return out;
}

/** Maps an undici/forwarding error to the proxy's answer (before response headers were sent). */
export function upstreamFailure(err: Error & { code?: string }): Respond & { kind: string; outcome: TryOutcome } {
  const code = err.code ?? '';
  if (err instanceof BodyTooLargeError) {
    return { kind: 'body-too-large', outcome: {}, status: 413, code: 'PAYLOAD_TOO_LARGE', reason: 'BODY_TOO_LARGE', decision: 'deny', message: err.message + '; send a smaller body' };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { kind: 'connect-timeout', outcome: { error: 'connect' }, status: 504, code: 'UPSTREAM_TIMEOUT', reason: 'UPSTREAM_CONNECT_TIMEOUT', decision: 'error', message: 'the upstream service did not accept the connection in time; retry later' };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return { kind: 'timeout', outcome: { error: 'timeout' }, status: 504, code: 'UPSTREAM_TIMEOUT', reason: 'UPSTREAM_TIMEOUT', decision: 'error', message: 'the upstream service did not answer in time; retry later' };
  }
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE' || err.name === 'HTTPParserError') {
    return { kind: 'malformed-response', outcome: { error: 'other' }, status: 502, code: 'BAD_GATEWAY', reason: 'UPSTREAM_MALFORMED_RESPONSE', decision: 'error', message: 'the upstream service sent an invalid HTTP response' };
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return { kind: 'client-body', outcome: {}, status: 400, code: 'INVALID_REQUEST', reason: 'CONTENT_LENGTH_MISMATCH', decision: 'deny', message: 'the request body does not match its Content-Length' };
  }
  const refused = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ECONNRESET_BEFORE_CONNECT';
  const reset = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
  return {
    kind: refused ? 'connect-refused' : reset ? 'connection-reset' : 'upstream-error',
    outcome: { error: refused ? 'connect' : reset ? 'reset' : 'other' },
    status: 502,
    code: 'BAD_GATEWAY',
    reason: 'UPSTREAM_UNREACHABLE',
    decision: 'error',
    message: 'the upstream service could not be reached; retry later',
  };
}

const RETRY_STATUSES = new Set([502, 503, 504]);

/** One request's forwarding: admission, tries, retries; `done` exactly once. */
class Forwarding {
  readonly deadline: number;
  readonly tried = new Set<Target>();
  readonly hashKey: string | undefined;
  readonly retryable: boolean;
  retries = 0;
  admission: Admission | undefined;
  finalOutcome: TryOutcome = {};
  settled = false;

  constructor(
    readonly ctx: RequestContext,
    readonly cluster: UpstreamCluster,
    readonly done: ForwardDone,
  ) {
    const route = ctx.route!;
    this.deadline = Date.now() + route.upstream.timeouts.totalMs;
    this.hashKey = cluster.hashKeyFor({ headers: ctx.req.headers, clientAddress: ctx.clientAddress, principalId: ctx.principal?.id });
    this.retryable = route.upstream.hasRetries && cluster.retry.retryable(ctx.method, ctx.req.headers);
  }

  /** Ends the request once: releases the admission slot and hands over to the recorder. */
  finish(failure: Respond | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (this.admission?.ok) this.admission.done(isFailedTry(this.finalOutcome) ? 'failure' : 'success');
    this.done(this.ctx, failure);
  }

  start(): void {
    const a = this.cluster.admit();
    if (a instanceof Promise) {
      a.then(
        (r) => this.admitted(r),
        () => this.admitted({ ok: false, reason: 'MAX_PENDING', retryAfterSeconds: 1 }),
      );
    } else this.admitted(a);
  }

  private admitted(a: Admission): void {
    this.admission = a;
    if (!a.ok) {
      this.ctx.upstreamError = `refused-${a.reason.toLowerCase().replace(/_/g, '-')}`;
      this.finish({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
        reason: a.reason,
        decision: 'error',
        message: `the upstream service is unavailable (${a.reason === 'CIRCUIT_OPEN' ? 'circuit open' : 'too many requests in flight'}); retry after ${a.retryAfterSeconds} s`,
        details: { reason: a.reason },
        headers: ['retry-after', String(a.retryAfterSeconds)],
      });
      return;
    }
    if (this.retryable) this.cluster.retry.requestStarted();
    this.attempt();
  }

  attempt(): void {
    const ctx = this.ctx;
    if (ctx.res.destroyed) {
      ctx.upstreamError = 'client-aborted';
      this.finish(undefined);
      return;
    }
    const target = this.cluster.pick(this.hashKey, this.tried);
    if (!target) {
      ctx.upstreamError = 'no-healthy-target';
      this.finalOutcome = { error: 'connect' };
      this.finish({
        status: 503,
        code: 'UPSTREAM_UNAVAILABLE',
        reason: 'NO_HEALTHY_TARGET',
        decision: 'error',
        message: 'no healthy upstream target is available; retry later',
        headers: ['retry-after', '5'],
      });
      return;
    }
    this.tried.add(target);
    this.cluster.tryStarted(target);
    const route = ctx.route!;
    const req = ctx.req;
    let body: Dispatcher.DispatchOptions['body'] = null;
    if (this.tried.size === 1) {
      const cl = req.headers['content-length'];
      if (req.headers['transfer-encoding'] !== undefined) body = req.pipe(new BodyLimit(route.maxBodyBytes, ctx));
      else if (cl !== undefined && cl !== '0') {
        ctx.bytesIn = Number(cl);
        body = req;
      }
    }
    const handler = new RelayHandler(this, target);
    if (ctx.upstreamStart === 0) ctx.upstreamStart = performance.now();
    const perTry = Math.max(1, Math.min(route.upstream.timeouts.perTryMs, this.deadline - Date.now()));
    try {
      target.pool.dispatch(
        {
          path: ctx.query === '' ? ctx.path : `${ctx.path}?${ctx.query}`,
          method: ctx.method as Dispatcher.HttpMethod,
          headers: upstreamRequestHeaders(ctx),
          body,
          headersTimeout: perTry,
          bodyTimeout: route.sse ? 0 : route.upstream.timeouts.idleMs,
        },
        handler,
      );
    } catch (err) {
      handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, err as Error);
    }
  }

  /** After a failed try (before any byte reached the client): retry if allowed, else answer. */
  retryOrFail(outcome: TryOutcome, failure: (() => Respond | undefined) | undefined): boolean {
    const d = this.cluster.retry.decide(this.retryable, this.retries, outcome);
    if (d.retry && Date.now() + d.delayMs < this.deadline && !this.ctx.res.destroyed) {
      this.retries++;
      const t = setTimeout(() => this.attempt(), d.delayMs);
      t.unref();
      return true;
    }
    if (failure) this.finish(failure());
    return false;
  }
}

/** undici dispatch handler relaying one upstream response (one try) to the client. */
class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;
  private relaying = false;
  private capture: Capture | undefined;
  private readonly ctx: RequestContext;
  private readonly onDrain = (): void => this.controller?.resume();
  private readonly onClientClose = (): void => {
    if (!this.finished && !this.ctx.res.writableFinished) {
      this.capture?.abort();
      this.capture = undefined;
      this.ctx.upstreamError = 'client-aborted';
      this.controller?.abort(new Error('client closed the connection'));
    }
  };

  constructor(
    private readonly f: Forwarding,
    private readonly target: Target,
  ) {
    this.ctx = f.ctx;
    this.ctx.res.once('close', this.onClientClose);
  }

  private endTry(outcome: TryOutcome): void {
    this.finished = true;
    this.ctx.res.removeListener('close', this.onClientClose);
    this.f.cluster.tryFinished(this.target, outcome);
    this.f.finalOutcome = outcome;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.ctx.res.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const ctx = this.ctx;
    const f = this.f;
    if (f.retryable && RETRY_STATUSES.has(statusCode)) {
      const outcome = { status: statusCode };
      const d = f.cluster.retry.decide(f.retryable, f.retries, outcome);
      if (d.retry && Date.now() + d.delayMs < f.deadline) {
        // Nothing was sent to the client: drop this answer and try again (on another target if any).
        this.endTry(outcome);
        controller.abort(new Error('retrying'));
        f.retries++;
        setTimeout(() => f.attempt(), d.delayMs).unref();
        return;
      }
    }
    this.relaying = true;
    ctx.upstreamEnd = performance.now();
    const route = ctx.route!;
    const listed = connectionListed(headers.connection as string | undefined);
    const upstream: string[] = [];
    for (const name in headers) {
      if (HOP_BY_HOP.has(name) || listed?.has(name)) continue;
      const v = headers[name];
      if (v === undefined) continue;
      if (typeof v === 'string') upstream.push(name, v);
      else for (const item of v) upstream.push(name, item);
    }
    const store = ctx.cacheStore;
    if (store) this.capture = store.cache.beginCapture(store.req, store.rule, statusCode, headers);
    const out = finishUpstreamHeaders(ctx, upstream, route.route.cache?.enabled ? MISS_HEADERS : undefined);
    ctx.res.writeHead(statusCode, out);
    this.tryStatus = statusCode;
    const type = headers['content-type'];
    if (route.sse || (typeof type === 'string' && type.startsWith('text/event-stream'))) ctx.res.flushHeaders();
  }

  private tryStatus = 0;

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.relaying) return;
    this.ctx.bytesOut += chunk.length;
    if (this.capture && !this.capture.push(chunk)) this.capture = undefined;
    if (!this.ctx.res.write(chunk)) {
      controller.pause();
      this.ctx.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    if (!this.relaying || this.finished) return;
    this.endTry({ status: this.tryStatus });
    if (this.ctx.upstreamEnd === 0) this.ctx.upstreamEnd = performance.now();
    this.capture?.finish();
    this.capture = undefined;
    this.ctx.res.end();
    this.f.finish(undefined);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    const ctx = this.ctx;
    this.capture?.abort();
    this.capture = undefined;
    if (ctx.upstreamError === 'client-aborted' || ctx.res.destroyed) {
      this.endTry({});
      ctx.upstreamError ??= 'client-aborted';
      if (ctx.upstreamEnd === 0) ctx.upstreamEnd = performance.now();
      this.f.finish(undefined);
      return;
    }
    const failure = upstreamFailure(err);
    this.endTry(this.relaying ? { status: this.tryStatus, error: 'reset' } : failure.outcome);
    if (this.relaying || ctx.res.headersSent) {
      // Mid-response: the status is gone; cut the client connection so it sees a truncated response.
      ctx.upstreamError = failure.kind;
      ctx.res.destroy(err);
      this.f.finish(undefined);
      return;
    }
    this.f.retryOrFail(failure.outcome, () => {
      ctx.upstreamError = failure.kind;
      if (ctx.upstreamEnd === 0) ctx.upstreamEnd = performance.now();
      return failure;
    });
  }
}

/** Forwards the request upstream through its route's cluster; `done` is called exactly once. */
export function forward(ctx: RequestContext, done: ForwardDone): void {
  new Forwarding(ctx, ctx.route!.upstream.cluster, done).start();
}
