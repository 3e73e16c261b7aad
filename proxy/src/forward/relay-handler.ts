/**
 * The undici dispatch handler of one try: relays the upstream response to the client with backpressure (never
 * buffering a whole body), feeds the response cache, and reports the try's outcome to its owner, which decides
 * about retries (`forwarding.ts`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { MISS_HEADERS, type Capture } from '../cache/response-cache.js';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Respond } from '../pipeline/stage.js';
import type { TryOutcome } from '../upstream/try-outcome.js';
import type { Target } from '../upstream/upstream-cluster.js';
import { connectionListed, HOP_BY_HOP } from './hop-by-hop.js';
import { finishUpstreamHeaders } from './response-headers.js';
import { upstreamFailure } from './upstream-failure.js';

/** Upstream statuses a retryable request may be retried on (when the route's retry policy covers them). */
const RETRY_STATUSES = new Set([502, 503, 504]);

/** What a try reports to the request's forwarding. */
export interface TryOwner {
  readonly ctx: RequestContext;
  readonly retryable: boolean;
  /** the try ended with this outcome (the cluster learns it; the request keeps it as its last outcome) */
  tryEnded(target: Target, outcome: TryOutcome): void;
  /** retries if the policy, the budget, the deadline and the client allow it; false when it does not */
  retry(outcome: TryOutcome): boolean;
  /** ends the request: with a Respond when the proxy must answer, undefined when the response was relayed (or cut) */
  finish(failure: Respond | undefined): void;
}

/** Relays one upstream response (one try) to the client. */
export class RelayHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private finished = false;
  private relaying = false;
  private tryStatus = 0;
  private capture: Capture | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timedOut: Error | undefined;
  private readonly ctx: RequestContext;
  /** made on the first backpressure only (most responses never wait for the client) */
  private onDrain: (() => void) | undefined;
  private readonly onClientClose = (): void => {
    if (!this.finished && !this.ctx.res.writableFinished) {
      this.capture?.abort();
      this.capture = undefined;
      this.ctx.upstreamError = 'client-aborted';
      this.controller?.abort(new Error('client closed the connection'));
    }
  };

  constructor(
    private readonly owner: TryOwner,
    private readonly target: Target,
  ) {
    this.ctx = owner.ctx;
    this.ctx.res.on('close', this.onClientClose);
  }

  /**
   * Our own per-try timer: the try fails as a timeout once `ms` pass without response headers. undici's
   * `headersTimeout` runs on its coarse "fast" timers (about 500 ms steps) and fired up to ~700 ms late.
   */
  startTimer(ms: number): void {
    this.timer = setTimeout(() => {
      if (this.finished || this.relaying) return;
      const err = Object.assign(new Error(`no response headers within ${ms} ms`), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      this.timedOut = err;
      const c = this.controller;
      this.onResponseError(c as Dispatcher.DispatchController, err);
      c?.abort(err);
    }, ms);
  }

  private endTry(outcome: TryOutcome): void {
    clearTimeout(this.timer);
    this.finished = true;
    this.ctx.res.removeListener('close', this.onClientClose);
    this.owner.tryEnded(this.target, outcome);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.timedOut) controller.abort(this.timedOut);
    else if (this.ctx.res.destroyed) controller.abort(new Error('client closed the connection'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const ctx = this.ctx;
    if (this.owner.retryable && RETRY_STATUSES.has(statusCode)) {
      const outcome = { status: statusCode };
      // Nothing was sent to the client: drop this answer and try again (on another target if any).
      // retry() only schedules the next try, so this one ends first.
      if (this.owner.retry(outcome)) {
        this.endTry(outcome);
        controller.abort(new Error('retrying'));
        return;
      }
    }
    this.relaying = true;
    clearTimeout(this.timer);
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

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.relaying) return;
    this.ctx.bytesOut += chunk.length;
    if (this.capture && !this.capture.push(chunk)) this.capture = undefined;
    if (!this.ctx.res.write(chunk)) {
      controller.pause();
      this.onDrain ??= (): void => this.controller?.resume();
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
    this.owner.finish(undefined);
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
      this.owner.finish(undefined);
      return;
    }
    const failure = upstreamFailure(err);
    this.endTry(this.relaying ? { status: this.tryStatus, error: 'reset' } : failure.outcome);
    if (this.relaying || ctx.res.headersSent) {
      // Mid-response: the status is gone; cut the client connection so it sees a truncated response.
      ctx.upstreamError = failure.kind;
      ctx.res.destroy(err);
      this.owner.finish(undefined);
      return;
    }
    if (this.owner.retry(failure.outcome)) return;
    ctx.upstreamError = failure.kind;
    if (ctx.upstreamEnd === 0) ctx.upstreamEnd = performance.now();
    this.owner.finish(failure);
  }
}
