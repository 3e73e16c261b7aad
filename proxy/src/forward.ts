/**
 * The forward stage: the only code that touches the upstream. Streams the request body to an
 * undici pool with a low-level dispatch handler and streams the response back with backpressure,
 * never buffering a whole body (PERFORMANCE-NOTES.md: `dispatch` was ~20% faster than `request`+pipe).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { applyHeaderTransform } from './header-transform.js';
import { MISS_HEADERS, type Capture } from './response-cache.js';
import { finishUpstreamHeaders } from './response-headers.js';
import { connectionListed, HOP_BY_HOP, isIdentityHeader, SPOOFABLE_REQUEST } from './hop-by-hop.js';
import type { Respond } from './pipeline/stage.js';
import type { RequestContext } from './request-context.js';

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
export function upstreamFailure(err: Error & { code?: string }): Respond & { kind: string } {
  const code = err.code ?? '';
  if (err instanceof BodyTooLargeError) {
    return { kind: 'body-too-large', status: 413, code: 'PAYLOAD_TOO_LARGE', reason: 'BODY_TOO_LARGE', decision: 'deny', message: err.message + '; send a smaller body' };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { kind: 'connect-timeout', status: 504, code: 'UPSTREAM_TIMEOUT', reason: 'UPSTREAM_CONNECT_TIMEOUT', decision: 'error', message: 'the upstream service did not accept the connection in time; retry later' };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return { kind: 'timeout', status: 504, code: 'UPSTREAM_TIMEOUT', reason: 'UPSTREAM_TIMEOUT', decision: 'error', message: 'the upstream service did not answer in time; retry later' };
  }
  if (code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RESPONSE_EXCEEDED_MAX_SIZE' || err.name === 'HTTPParserError') {
    return { kind: 'malformed-response', status: 502, code: 'BAD_GATEWAY', reason: 'UPSTREAM_MALFORMED_RESPONSE', decision: 'error', message: 'the upstream service sent an invalid HTTP response' };
  }
  if (code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
    return { kind: 'client-body', status: 400, code: 'INVALID_REQUEST', reason: 'CONTENT_LENGTH_MISMATCH', decision: 'deny', message: 'the request body does not match its Content-Length' };
  }
  const kind = code === 'ECONNREFUSED' ? 'connect-refused' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection-reset' : 'upstream-error';
  return { kind, status: 502, code: 'BAD_GATEWAY', reason: 'UPSTREAM_UNREACHABLE', decision: 'error', message: 'the upstream service could not be reached; retry later' };
}

/** undici dispatch handler relaying one upstream response to the client. */
class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;
  private capture: Capture | undefined;
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
    private readonly ctx: RequestContext,
    private readonly done: ForwardDone,
  ) {
    ctx.res.once('close', this.onClientClose);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.ctx.res.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const ctx = this.ctx;
    ctx.upstreamEnd = process.hrtime.bigint();
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
    const type = headers['content-type'];
    if (route.sse || (typeof type === 'string' && type.startsWith('text/event-stream'))) ctx.res.flushHeaders();
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.ctx.bytesOut += chunk.length;
    if (this.capture && !this.capture.push(chunk)) this.capture = undefined;
    if (!this.ctx.res.write(chunk)) {
      controller.pause();
      this.ctx.res.once('drain', this.onDrain);
    }
  }

  onResponseEnd(): void {
    this.finished = true;
    this.ctx.res.removeListener('close', this.onClientClose);
    if (this.ctx.upstreamEnd === 0n) this.ctx.upstreamEnd = process.hrtime.bigint();
    this.capture?.finish();
    this.capture = undefined;
    this.ctx.res.end();
    this.done(this.ctx, undefined);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.finished) return;
    this.finished = true;
    const ctx = this.ctx;
    this.capture?.abort();
    this.capture = undefined;
    ctx.res.removeListener('close', this.onClientClose);
    if (ctx.upstreamEnd === 0n) ctx.upstreamEnd = process.hrtime.bigint();
    if (ctx.upstreamError === 'client-aborted' || ctx.res.destroyed) {
      ctx.upstreamError ??= 'client-aborted';
      this.done(ctx, undefined);
      return;
    }
    const failure = upstreamFailure(err);
    ctx.upstreamError = failure.kind;
    if (ctx.res.headersSent) {
      // Mid-response: the status is gone; cut the client connection so it sees a truncated response.
      ctx.res.destroy(err);
      this.done(ctx, undefined);
    } else this.done(ctx, failure);
  }
}

/** Forwards the request upstream; `done` is called exactly once. */
export function forward(ctx: RequestContext, done: ForwardDone): void {
  const route = ctx.route!;
  const up = route.upstream;
  const req = ctx.req;
  const cl = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  let body: Dispatcher.DispatchOptions['body'] = null;
  if (chunked) body = req.pipe(new BodyLimit(route.maxBodyBytes, ctx));
  else if (cl !== undefined && cl !== '0') {
    ctx.bytesIn = Number(cl);
    body = req;
  }
  const handler = new RelayHandler(ctx, done);
  ctx.upstreamStart = process.hrtime.bigint();
  try {
    up.pool.dispatch(
      {
        path: ctx.query === '' ? ctx.path : `${ctx.path}?${ctx.query}`,
        method: ctx.method as Dispatcher.HttpMethod,
        headers: upstreamRequestHeaders(ctx),
        body,
        headersTimeout: up.timeouts.perTryMs,
        bodyTimeout: route.sse ? 0 : up.timeouts.idleMs,
      },
      handler,
    );
  } catch (err) {
    handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, err as Error);
  }
}
