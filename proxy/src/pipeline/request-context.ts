/** Everything the pipeline knows about one request; created in `accept`, read by every later stage and the recorder. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AuthenticatedPrincipal, AuthFailureReason } from '../authenticate/principal.js';
import type { PolicyRuntime, RouteRuntime } from '../bundle/policy-runtime.js';
import type { ReasonCode } from './reasons.js';
import type { CacheRequest, CacheRule, ResponseCache } from '../cache/response-cache.js';
import type { RequestSpan } from '../tracing/request-tracer.js';

/** An answer the sidecar serves itself after the stages, in place of forwarding (the events stage sets it). */
export interface LocalAnswer {
  /** serves an HTTP request; resolves with the status to record once the response ended */
  http(ctx: RequestContext): Promise<number>;
  /** takes over an admitted WebSocket upgrade; calls `ended(status)` once the connection is over */
  upgrade(ctx: RequestContext, socket: Socket, head: Buffer, maxPayload: number, ended: (status: number) => void): void;
}

/** What the pipeline decided about a request. */
export type Decision = 'allow' | 'deny' | 'error';

/** The per-request state. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly policy: PolicyRuntime;
  /** performance.now() at accept (ms; a plain number, so no BigInt allocation per request) */
  readonly startedAt: number;
  /** wall-clock ms at accept (the `now` given to pure policy functions) */
  readonly now: number;
  requestId: string;
  /** W3C trace id (32 hex) and the traceparent sent upstream */
  traceId: string;
  traceparent: string;
  /** the request's trace span when tracing is on (`--otlp-endpoint`); undefined otherwise */
  span: RequestSpan | undefined;
  clientAddress: string;
  /** `x-forwarded-for` value to send upstream */
  forwardedFor: string;
  forwardedProto: string;
  method: string;
  /** normalised path (what is authorised and forwarded) */
  path: string;
  /** raw query without `?`, '' when none */
  query: string;
  host: string | undefined;
  /** a token from outside the headers (WebSocket `Sec-WebSocket-Protocol` or query), used only if no header credential */
  extraToken: string | undefined;
  /** true when this is a WebSocket upgrade (no ServerResponse body is relayed; the socket is taken over) */
  upgrade: boolean;
  route: RouteRuntime | undefined;
  params: Readonly<Record<string, string>>;
  principal: AuthenticatedPrincipal | undefined;
  decision: Decision;
  /** reason code of the decision (`GRANTED`, `PUBLIC_ROUTE`, `MISSING_PERMISSION`, `RATE_LIMITED`, …); '' until decided */
  reason: ReasonCode | '';
  authFailure: AuthFailureReason | undefined;
  /** set by the rate-limit stage on limited routes */
  rateLimitResult: 'allowed' | 'limited' | undefined;
  /** flat [name, value, …] list of headers added to whatever response is sent (CORS, RateLimit, …) */
  responseHeaders: string[];
  /** upstream timing (performance.now() ms), 0 when not forwarded */
  upstreamStart: number;
  upstreamEnd: number;
  /** error kind when forwarding failed */
  upstreamError: string | undefined;
  bytesIn: number;
  bytesOut: number;
  /** set by the events stage: the sidecar answers this request itself (an event stream) instead of forwarding it */
  serveLocally: LocalAnswer | undefined;
  /** set by the cache stage on a miss that may be stored: the relay captures the response */
  cacheStore: { cache: ResponseCache; req: CacheRequest; rule: CacheRule } | undefined;
}

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** A fresh context for a request under the bundle in force now (the accept stage fills in the rest). */
export function newRequestContext(req: IncomingMessage, res: ServerResponse, policy: PolicyRuntime): RequestContext {
  return {
    req,
    res,
    policy,
    startedAt: performance.now(),
    now: Date.now(),
    requestId: '',
    traceId: '',
    traceparent: '',
    span: undefined,
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
    serveLocally: undefined,
  };
}
