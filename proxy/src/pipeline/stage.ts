/**
 * A pipeline stage: returns `undefined` to let the request continue, or a `Respond` to answer it
 * (a denial is a value, not an exception). Stages never write to the response; `proxy-handler`
 * turns a `Respond` into the one error body and records the decision in one place.
 */
import type { ErrorCode } from '../errors.js';
import type { RequestContext } from './request-context.js';

/** The request is answered by the proxy with this status and error body. */
export interface Respond {
  status: number;
  /** spec error code; absent for non-error answers such as a CORS preflight (then `body` is empty) */
  code?: ErrorCode;
  message?: string;
  details?: Record<string, unknown>;
  /** extra headers, flat [name, value, …] */
  headers?: readonly string[];
  /** a non-error answer with its own upstream-like headers and body (a cache hit); sent through the response finishing */
  upstreamLike?: { headers: readonly string[]; body: Buffer | undefined };
  /** decision reason code for logs and metrics */
  reason: string;
  decision: 'allow' | 'deny' | 'error';
}

export type StageResult = Respond | undefined;

export interface Stage {
  readonly name: string;
  run(ctx: RequestContext): StageResult | Promise<StageResult>;
}

/** Builds a denial. */
export function deny(status: number, code: ErrorCode, reason: string, message: string, details?: Record<string, unknown>, headers?: readonly string[]): Respond {
  return { status, code, message, reason, decision: 'deny', details, headers };
}
