/**
 * The pipeline's tracing hooks, called in one place by the runner (`pipeline/pipeline.ts`), never by the stages:
 * each stage's decision becomes an event on the request's span, and the span ends when the request is recorded.
 * With tracing off the context has no span and none of this runs.
 */
import type { RequestContext } from '../pipeline/request-context.js';
import type { Stage, StageResult } from '../pipeline/stage.js';

/** Records one stage's outcome on the request's span: `continue`, or the answer's decision, reason and status. */
export function traceStage(ctx: RequestContext, stage: Stage, r: StageResult): void {
  const span = ctx.span;
  if (span === undefined || !span.recording) return;
  if (r === undefined) span.stage(stage.name, 'continue');
  else span.stage(stage.name, r.decision, r.reason, { 'http.response.status_code': r.status });
  if (stage.name === 'route' && ctx.route !== undefined) span.route(ctx.route.id);
}

/** Ends the request's span with its final status and the pipeline's decision. */
export function endSpan(ctx: RequestContext, status: number): void {
  const span = ctx.span;
  if (span === undefined) return;
  ctx.span = undefined;
  if (span.recording) {
    span.end(status, {
      'agentcore.decision': ctx.decision,
      'agentcore.reason': ctx.reason,
      'agentcore.request_id': ctx.requestId,
      ...(ctx.upstreamError ? { 'agentcore.upstream_error': ctx.upstreamError } : {}),
    });
  } else span.end(status);
}
