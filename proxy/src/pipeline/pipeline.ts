/**
 * The request handler: runs the stages in order (synchronously while they answer synchronously),
 * turns a `Respond` into the one error body, forwards what passes, and records every decision in
 * one place (access log + metrics).
 *
 *   accept → route → cors → authenticate → authorize → rate-limit → validate → forward → record
 *   400      404/405  204/403   401/503        403         429          413/415   502/504
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { logAccess, type AccessLogSink } from '../record/access-log.js';
import { errorBody } from '@agentcore/policies';
import { forward } from '../forward/forward.js';
import { finishUpstreamHeaders } from '../forward/response-headers.js';
import type { ProxyMetrics } from '../record/metrics.js';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import type { Respond, Stage, StageResult } from './stage.js';
import type { RequestContext } from './request-context.js';

export interface HandlerDeps {
  runtime(): PolicyRuntime;
  stages: readonly Stage[];
  /** process log (pipeline errors) */
  log: Logger;
  /** access lines */
  accessLog: AccessLogSink;
  metrics: ProxyMetrics;
  /** called when a request finishes (drain accounting, counters, access-log shipping) */
  onFinish?: (ctx: RequestContext, status: number) => void;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** The pipeline, exposed in parts so the WebSocket upgrade path reuses the same stages, answers and records. */
export interface Pipeline {
  /** the `request` handler: stages, then forward */
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  /** a fresh context for a request (the upgrade path builds a ServerResponse on the socket itself) */
  newContext(req: IncomingMessage, res: ServerResponse): RequestContext;
  /** runs every stage; calls `pass` when all let the request through, otherwise answers it */
  runStages(ctx: RequestContext, pass: (ctx: RequestContext) => void): void;
  /** answers with the proxy's own response and records the decision */
  respond(ctx: RequestContext, r: Respond): void;
  /** records a finished request (access log + metrics) */
  record(ctx: RequestContext, status: number): void;
}

export function createPipeline(deps: HandlerDeps): Pipeline {
  const { stages, accessLog, metrics } = deps;

  const record = (ctx: RequestContext, status: number): void => {
    const end = performance.now();
    try {
      logAccess(accessLog, ctx, status, end);
      metrics.observe(ctx, status, end);
    } finally {
      deps.onFinish?.(ctx, status);
    }
  };

  const respond = (ctx: RequestContext, r: Respond): void => {
    ctx.decision = r.decision;
    ctx.reason = r.reason;
    const res = ctx.res;
    if (r.upstreamLike && !res.headersSent && !res.destroyed) {
      const headers = finishUpstreamHeaders(ctx, [...r.upstreamLike.headers]);
      res.writeHead(r.status, headers);
      res.end(r.upstreamLike.body);
      ctx.bytesOut = r.upstreamLike.body?.length ?? 0;
    } else if (!res.headersSent && !res.destroyed) {
      const headers: string[] = [...ctx.policy.ownResponseHeaders, 'x-request-id', ctx.requestId];
      for (const h of ctx.responseHeaders) headers.push(h);
      if (r.headers) for (const h of r.headers) headers.push(h);
      if (ctx.policy.closing) headers.push('connection', 'close');
      if (r.code) {
        const body = errorBody(r.code, r.message ?? r.code, ctx.requestId, r.details ?? {}, ctx.now);
        headers.push('content-type', 'application/json; charset=utf-8', 'content-length', String(Buffer.byteLength(body)));
        res.writeHead(r.status, headers);
        res.end(ctx.method === 'HEAD' ? undefined : body);
        ctx.bytesOut = Buffer.byteLength(body);
      } else {
        headers.push('content-length', '0');
        res.writeHead(r.status, headers);
        res.end();
      }
    }
    // A denied request's body is not read: drain it so the connection can be reused, or close it if large.
    if (!ctx.req.complete) ctx.req.resume();
    record(ctx, r.status);
  };

  const forwardDone = (ctx: RequestContext, failure: Respond | undefined): void => {
    if (failure) respond(ctx, failure);
    // 499 (client closed request, as nginx logs it) when the client left before the response ended.
    else record(ctx, ctx.upstreamError === 'client-aborted' ? 499 : ctx.res.statusCode);
  };

  const run = (ctx: RequestContext, from: number, pass: (ctx: RequestContext) => void): void => {
    for (let i = from; i < stages.length; i++) {
      let r: StageResult | Promise<StageResult>;
      try {
        r = stages[i]!.run(ctx);
      } catch (err) {
        internalError(ctx, err);
        return;
      }
      if (r instanceof Promise) {
        r.then(
          (v) => (v ? respond(ctx, v) : run(ctx, i + 1, pass)),
          (err: unknown) => internalError(ctx, err),
        );
        return;
      }
      if (r) {
        respond(ctx, r);
        return;
      }
    }
    ctx.decision = 'allow';
    if (ctx.reason === '') ctx.reason = 'GRANTED';
    pass(ctx);
  };
  const toForward = (ctx: RequestContext): void => forward(ctx, forwardDone);

  const internalError = (ctx: RequestContext, err: unknown): void => {
    deps.log.error({ request_id: ctx.requestId, err }, 'pipeline error');
    respond(ctx, { status: 500, code: 'INTERNAL_ERROR', reason: 'INTERNAL_ERROR', decision: 'error', message: 'the gateway failed to process the request; retry, and report the request id if it persists' });
  };

  const newContext = (req: IncomingMessage, res: ServerResponse): RequestContext => ({
    req,
    res,
    policy: deps.runtime(),
    startedAt: performance.now(),
    now: Date.now(),
    requestId: '',
    traceId: '',
    traceparent: '',
    clientAddress: '',
    forwardedFor: '',
    forwardedProto: 'http',
    method: req.method ?? 'GET',
    path: '',
    query: '',
    host: undefined,
    extraToken: undefined,
    upgrade: false,
    route: undefined,
    params: EMPTY,
    principal: undefined,
    decision: 'allow',
    reason: '',
    authFailure: undefined,
    rateLimitResult: undefined,
    responseHeaders: [],
    upstreamStart: 0,
    upstreamEnd: 0,
    upstreamError: undefined,
    bytesIn: 0,
    bytesOut: 0,
    cacheStore: undefined,
  });

  return {
    onRequest: (req, res) => run(newContext(req, res), 0, toForward),
    newContext,
    runStages: (ctx, pass) => run(ctx, 0, pass),
    respond,
    record,
  };
}
