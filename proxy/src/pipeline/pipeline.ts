/**
 * The request handler: runs the stages of `stages.ts` in order (synchronously while they answer synchronously),
 * answers a `Respond` with the proxy's own response, forwards what passes, and records every request in one place.
 * The WebSocket upgrade path uses the same parts (`websocket/upgrade-handler.ts`).
 */
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { forward } from '../forward/forward.js';
import type { Recorder } from '../record/recorder.js';
import type { RequestTracer } from '../tracing/request-tracer.js';
import { endSpan, traceStage } from '../tracing/stage-events.js';
import { writeAnswer } from './answer.js';
import { deny, type Respond, type Stage, type StageResult } from './stage.js';
import { newRequestContext, type RequestContext } from './request-context.js';

/** What the pipeline runs on. */
export interface PipelineDeps {
  /** the bundle in force (read once per request) */
  runtime(): PolicyRuntime;
  /** the ordered stages (`requestStages` of `stages.ts`) */
  stages: readonly Stage[];
  /** process log (pipeline errors) */
  log: Logger;
  /** the record step */
  record: Recorder;
  /** request tracing (`--otlp-endpoint`); absent = no span objects on the request path */
  tracer?: RequestTracer | undefined;
}

/** The pipeline, exposed in parts so the WebSocket upgrade path reuses the same stages, answers and records. */
export interface Pipeline {
  /** the `request` handler: stages, then forward, then record */
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  /** a fresh context for a request (the upgrade path builds a ServerResponse on the socket itself) */
  newContext(req: IncomingMessage, res: ServerResponse): RequestContext;
  /** runs every stage: the first answer, or undefined when all let the request through; never rejects */
  runStages(ctx: RequestContext): StageResult | Promise<StageResult>;
  /** answers with the proxy's own response and records the decision */
  respond(ctx: RequestContext, r: Respond): void;
  /** records a finished request (access log + metrics) */
  record(ctx: RequestContext, status: number): void;
  /**
   * Decides again whether an admitted request (an open WebSocket) would be admitted under the bundle in force
   * now: the stages that decide who may pass (accept, route, authenticate, authorize) on a fresh context with
   * the same request and credential; no counting (rate limits), no answer written. Never rejects.
   */
  recheck(admitted: RequestContext): Promise<{ refused: Respond | undefined; ctx: RequestContext }>;
}

/** The stages re-run by `recheck`: who may pass, not how often or what is sent. */
const ADMISSION_STAGES = new Set(['accept', 'route', 'authenticate', 'authorize']);

/** Calls `fn` with the value now, or once the promise settles (keeps the synchronous path free of microtasks). */
export function whenSettled<T>(v: T | Promise<T>, fn: (v: T) => void): void {
  if (v instanceof Promise) void v.then(fn);
  else fn(v);
}

class RequestPipeline implements Pipeline {
  private readonly admission: readonly Stage[];
  constructor(private readonly deps: PipelineDeps) {
    this.admission = deps.stages.filter((s) => ADMISSION_STAGES.has(s.name));
  }

  readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const ctx = this.newContext(req, res);
    const r = this.runStages(ctx);
    // no closure per request on the synchronous path (issue #16)
    if (r instanceof Promise) void r.then((v) => this.afterStages(ctx, v));
    else this.afterStages(ctx, r);
  };

  private afterStages(ctx: RequestContext, r: StageResult): void {
    if (r) this.respond(ctx, r);
    else if (ctx.serveLocally) void ctx.serveLocally.http(ctx).then((status) => this.deps.record(ctx, status));
    else {
      const req = ctx.req;
      // `Expect: 100-continue` (Node's checkContinue): the client sends its body only once every stage passed.
      if (req.headers.expect !== undefined && req.httpVersion === '1.1') ctx.res.writeContinue();
      forward(ctx, this);
    }
  }

  newContext(req: IncomingMessage, res: ServerResponse): RequestContext {
    const ctx = newRequestContext(req, res, this.deps.runtime());
    const tracer = this.deps.tracer;
    if (tracer !== undefined) ctx.span = tracer.startRequest(ctx.method, req.url ?? '/', req.headers);
    return ctx;
  }

  async recheck(admitted: RequestContext): Promise<{ refused: Respond | undefined; ctx: RequestContext }> {
    const ctx = newRequestContext(admitted.req, new ServerResponse(admitted.req), this.deps.runtime());
    ctx.upgrade = admitted.upgrade;
    ctx.extraToken = admitted.extraToken;
    return { refused: await this.runStages(ctx, 0, this.admission), ctx };
  }

  runStages(ctx: RequestContext, from = 0, stages: readonly Stage[] = this.deps.stages): StageResult | Promise<StageResult> {
    for (let i = from; i < stages.length; i++) {
      const stage = stages[i]!;
      let r: StageResult | Promise<StageResult>;
      try {
        r = stage.run(ctx);
      } catch (err) {
        return this.internalError(ctx, err);
      }
      if (r instanceof Promise) {
        const next = i + 1;
        return r.then(
          (v) => {
            if (ctx.span !== undefined) traceStage(ctx, stage, v);
            return v ?? this.runStages(ctx, next, stages);
          },
          (err: unknown) => this.internalError(ctx, err),
        );
      }
      if (ctx.span !== undefined) traceStage(ctx, stage, r);
      if (r) return r;
    }
    ctx.decision = 'allow';
    if (ctx.reason === '') ctx.reason = 'GRANTED';
    return undefined;
  }

  respond(ctx: RequestContext, r: Respond): void {
    writeAnswer(ctx, r);
    // A denied request's body is not read: drain it so the connection can be reused, or close it if large.
    if (!ctx.req.complete) ctx.req.resume();
    this.record(ctx, r.status);
  }

  record(ctx: RequestContext, status: number): void {
    if (ctx.span !== undefined) endSpan(ctx, status);
    this.deps.record(ctx, status);
  }

  /** forwarding ended (`forward/forward.ts`): answer its failure, or record the relayed response */
  forwarded(ctx: RequestContext, failure: Respond | undefined): void {
    if (failure) this.respond(ctx, failure);
    // 499 (client closed request, as nginx logs it) when the client left before the response ended.
    else this.record(ctx, ctx.upstreamError === 'client-aborted' ? 499 : ctx.res.statusCode);
  }

  private internalError(ctx: RequestContext, err: unknown): Respond {
    this.deps.log.error({ request_id: ctx.requestId, err }, 'pipeline error');
    return deny('INTERNAL_ERROR', 'the gateway failed to process the request; retry, and report the request id if it persists');
  }
}

/** Builds the pipeline. */
export function createPipeline(deps: PipelineDeps): Pipeline {
  return new RequestPipeline(deps);
}
