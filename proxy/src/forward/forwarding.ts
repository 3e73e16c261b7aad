/**
 * One request's forwarding: admission by the route's upstream cluster (circuit breaker, concurrency), the choice
 * of a target (load balancing, health, outlier ejection), one dispatch per try, and the retry decision — here
 * only: idempotent requests without a body are retried on the configured outcomes, within the retry budget, the
 * total timeout, and while the client is still there.
 */
import type { Dispatcher } from 'undici';
import type { RequestContext } from '../pipeline/request-context.js';
import { principalKey } from '../authenticate/principal.js';
import type { Respond } from '../pipeline/stage.js';
import type { Admission } from '../upstream/circuit-breaker.js';
import { isFailedTry, type TryOutcome } from '../upstream/try-outcome.js';
import type { Target, UpstreamCluster } from '../upstream/upstream-cluster.js';
import { RelayHandler, type TryOwner } from './relay-handler.js';
import { unforwardableHeader } from './forwardable-headers.js';
import { buildUpstreamHeaders } from './upstream-headers.js';
import { admissionRefused, BodyLimit, noHealthyTarget, unforwardable } from './upstream-failure.js';

/** Who hears once forwarding ended (the pipeline). */
export interface ForwardOwner {
  forwarded(ctx: RequestContext, failure: Respond | undefined): void;
}

/** Forwards one request; `finish` settles it exactly once. */
export class Forwarding implements TryOwner {
  private readonly deadline: number;
  /** tries started so far */
  private tries = 0;
  /** the targets tried so far, built on the first retry (most requests have one try: no Set for them) */
  private tried: Set<Target> | undefined;
  private firstTarget: Target | undefined;
  private readonly hashKey: string | undefined;
  readonly retryable: boolean;
  private retries = 0;
  private admission: Admission | undefined;
  private finalOutcome: TryOutcome = {};
  private settled = false;
  /** the headers of every try, built once before admission */
  private headers: string[] = [];

  constructor(
    readonly ctx: RequestContext,
    private readonly cluster: UpstreamCluster,
    private readonly owner: ForwardOwner,
  ) {
    const route = ctx.route!;
    this.deadline = Date.now() + route.upstream.timeouts.totalMs;
    this.hashKey = cluster.hashKeyFor({ headers: ctx.req.headers, clientAddress: ctx.clientAddress, principalId: ctx.principal ? principalKey(ctx.principal) : undefined });
    this.retryable = route.upstream.hasRetries && cluster.retry.retryable(ctx.method, ctx.req.headers);
  }

  /** Ends the request once: releases the admission slot and hands the outcome over. */
  finish(failure: Respond | undefined): void {
    if (this.settled) return;
    this.settled = true;
    if (this.admission?.ok) this.admission.done(isFailedTry(this.finalOutcome) ? 'failure' : 'success');
    this.owner.forwarded(this.ctx, failure);
  }

  tryEnded(target: Target, outcome: TryOutcome): void {
    this.cluster.tryFinished(target, outcome);
    this.finalOutcome = outcome;
  }

  /** The one retry decision: policy and budget (`retry-policy.ts`), then the deadline and the client. */
  retry(outcome: TryOutcome): boolean {
    const d = this.cluster.retry.decide(this.retryable, this.retries, outcome);
    if (!d.retry || Date.now() + d.delayMs >= this.deadline || this.ctx.res.destroyed) return false;
    this.retries++;
    setTimeout(() => this.attempt(), d.delayMs).unref();
    return true;
  }

  start(): void {
    // A request undici would refuse is the client's fault: 400 before admission, so no breaker, outlier or retry
    // state ever counts it (finding 1 of issue #9).
    const built = buildUpstreamHeaders(this.ctx);
    this.headers = built.headers;
    const bad = unforwardableHeader(this.headers, built.checkFrom);
    if (bad) {
      this.ctx.upstreamError = 'unforwardable-header';
      this.finish(unforwardable(bad.header, bad.problem));
      return;
    }
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
      this.finish(admissionRefused(a));
      return;
    }
    if (this.retryable) this.cluster.retry.requestStarted();
    this.attempt();
  }

  private attempt(): void {
    const ctx = this.ctx;
    if (ctx.res.destroyed) {
      ctx.upstreamError = 'client-aborted';
      this.finish(undefined);
      return;
    }
    if (this.firstTarget !== undefined) this.tried ??= new Set([this.firstTarget]);
    const target = this.cluster.pick(this.hashKey, this.tried);
    if (!target) {
      ctx.upstreamError = 'no-healthy-target';
      this.finalOutcome = { error: 'connect' };
      this.finish(noHealthyTarget());
      return;
    }
    this.tries++;
    if (this.firstTarget === undefined) this.firstTarget = target;
    else this.tried!.add(target);
    this.cluster.tryStarted(target);
    const handler = new RelayHandler(this, target);
    if (ctx.upstreamStart === 0) ctx.upstreamStart = performance.now();
    const perTry = Math.max(1, Math.min(ctx.route!.upstream.timeouts.perTryMs, this.deadline - Date.now()));
    handler.startTimer(perTry);
    try {
      target.pool.dispatch(this.dispatchOptions(perTry), handler);
    } catch (err) {
      handler.onResponseError(undefined as unknown as Dispatcher.DispatchController, err as Error);
    }
  }

  /**
   * The try's request: the body only on the first try (retried requests have none). The handler's own timer
   * enforces `perTry` (the per-try timeout, cut to what is left of the total); undici's coarse headers timeout
   * stays only as a backstop a second later.
   */
  private dispatchOptions(perTry: number): Dispatcher.DispatchOptions {
    const ctx = this.ctx;
    const route = ctx.route!;
    const req = ctx.req;
    let body: Dispatcher.DispatchOptions['body'] = null;
    if (this.tries === 1) {
      const cl = req.headers['content-length'];
      if (req.headers['transfer-encoding'] !== undefined) body = req.pipe(new BodyLimit(route.maxBodyBytes, ctx));
      else if (cl !== undefined && cl !== '0') {
        ctx.bytesIn = Number(cl);
        body = req;
      }
    }
    return {
      path: ctx.query === '' ? ctx.path : `${ctx.path}?${ctx.query}`,
      method: ctx.method as Dispatcher.HttpMethod,
      headers: this.headers,
      body,
      headersTimeout: perTry + 1000,
      bodyTimeout: route.sse ? 0 : route.upstream.timeouts.idleMs,
    };
  }
}
