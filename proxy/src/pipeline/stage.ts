/**
 * A pipeline stage: returns `undefined` to let the request continue, or a `Respond` to answer it
 * (a denial is a value, not an exception). Stages never write to the response; `pipeline.ts`
 * turns a `Respond` into the one error body and records the decision in one place.
 */
import type { PublicErrorCode } from '@agentcore/policies';
import { PROXY_REASONS, statusOf, type DenyCode, type ReasonCode } from './reasons.js';
import type { RequestContext } from './request-context.js';

/** The request is answered by the proxy with this status and error body. */
export interface Respond {
  status: number;
  /** spec error code; absent for non-error answers such as a CORS preflight (then `body` is empty) */
  code?: PublicErrorCode;
  message?: string;
  details?: Record<string, unknown>;
  /** extra headers, flat [name, value, …] */
  headers?: readonly string[];
  /** a non-error answer with its own upstream-like headers and body (a cache hit); sent through the response finishing */
  upstreamLike?: { headers: readonly string[]; body: Buffer | undefined };
  /** decision reason code for logs and metrics (see `reasons.ts`) */
  reason: ReasonCode;
  decision: 'allow' | 'deny' | 'error';
}

export type StageResult = Respond | undefined;

/** One step of the pipeline; the ordered list is `stages.ts`. */
export interface Stage {
  readonly name: string;
  run(ctx: RequestContext): StageResult | Promise<StageResult>;
}

/** Builds the proxy's error answer for a reason: public code, status and decision come from `PROXY_REASONS`. */
export function deny(reason: DenyCode, message: string, details?: Record<string, unknown>, headers?: readonly string[]): Respond {
  const spec = PROXY_REASONS[reason];
  return { status: statusOf(reason), code: spec.code, message, reason, decision: spec.decision, details, headers };
}
