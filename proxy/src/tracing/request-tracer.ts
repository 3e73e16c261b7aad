/**
 * OpenTelemetry traces of the sidecar, exported over OTLP/HTTP (JSON) with the OpenTelemetry SDK:
 * one SERVER span per request, the pipeline stages' decisions as span events, the incoming W3C
 * `traceparent`/`tracestate` honoured (the span joins the caller's trace; with `parentBased` the
 * caller's sampled flag decides), otherwise sampled at `sampleRatio` by trace id.
 *
 * The provider is private to the sidecar (never registered globally) and spans go through a
 * BatchSpanProcessor, so the request path only creates the span and records events; export happens
 * off the hot path in batches. An unsampled request gets a non-recording span: no events are kept.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';

/** How the sidecar traces (from `--otlp-endpoint`, `--trace-sample-ratio` once wired). */
export interface TracingOptions {
  /** OTLP/HTTP traces URL, e.g. http://otel-collector:4318/v1/traces */
  endpoint: string;
  /** share of new traces recorded, 0..1 (requests with a sampled parent follow the parent when parentBased) */
  sampleRatio: number;
  /** follow the incoming traceparent's sampled flag (default true) */
  parentBased?: boolean;
  serviceName?: string;
  /** service.instance.id resource attribute (the sidecar's instance id) */
  instanceId?: string;
  /** extra HTTP headers for the collector (e.g. an auth token); never logged */
  headers?: Record<string, string>;
  /** spans queued at most before new ones are dropped (default 2048) */
  maxQueueSize?: number;
  /** export delay of the batch processor (default 1000 ms) */
  scheduledDelayMs?: number;
  /** replaces the OTLP exporter (tests) */
  exporter?: SpanExporter;
  /** told when flushing on drain fails (collector down); draining itself never fails for tracing */
  onFlushError?: (err: Error) => void;
}

/** What the pipeline records on one request's span. */
export interface RequestSpan {
  /** whether this request is sampled (events and attributes are kept) */
  readonly recording: boolean;
  /** the `traceparent` to send upstream, so the backend's spans become children of this one */
  traceparent(): string;
  /** one stage's decision as a span event, e.g. stage('authenticate', 'allow', 'GRANTED') */
  stage(name: string, decision: string, reason?: string, attributes?: Record<string, string | number | boolean>): void;
  /** the route the request matched (names the span `METHOD route`) */
  route(id: string): void;
  /** ends the span with the response status (5xx marks the span as an error) */
  end(status: number, attributes?: Record<string, string | number | boolean>): void;
}

/** The sidecar's tracer: starts request spans; flush and shut down on drain. */
export interface RequestTracer {
  startRequest(method: string, target: string, headers: IncomingHttpHeaders): RequestSpan;
  /** exports what is queued; resolves even when the collector is down (see onFlushError) */
  forceFlush(): Promise<void>;
  /** flushes and stops; resolves even when the collector is down */
  shutdown(): Promise<void>;
}

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (h) => Object.keys(h),
  get: (h, key) => h[key],
};

/** Checks tracing options; returns the error messages (empty when valid). */
export function checkTracingOptions(o: TracingOptions): string[] {
  const errors: string[] = [];
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(o.endpoint)) errors.push(`the OTLP endpoint must be an http(s) URL, got "${o.endpoint}"`);
  if (!(o.sampleRatio >= 0 && o.sampleRatio <= 1)) errors.push(`the sample ratio must be between 0 and 1, got ${o.sampleRatio}`);
  return errors;
}

class SidecarRequestSpan implements RequestSpan {
  readonly recording: boolean;
  constructor(
    private readonly span: Span,
    private readonly method: string,
  ) {
    this.recording = span.isRecording();
  }
  traceparent(): string {
    const c = this.span.spanContext();
    return `00-${c.traceId}-${c.spanId}-${(c.traceFlags & 1) === 1 ? '01' : '00'}`;
  }
  stage(name: string, decision: string, reason?: string, attributes?: Record<string, string | number | boolean>): void {
    if (!this.recording) return;
    this.span.addEvent(`agentcore.stage.${name}`, { 'agentcore.decision': decision, ...(reason ? { 'agentcore.reason': reason } : {}), ...attributes });
  }
  route(id: string): void {
    if (!this.recording) return;
    this.span.updateName(`${this.method} ${id}`);
    this.span.setAttribute('http.route', id);
  }
  end(status: number, attributes?: Record<string, string | number | boolean>): void {
    if (this.recording) {
      this.span.setAttribute('http.response.status_code', status);
      if (attributes) this.span.setAttributes(attributes);
      if (status >= 500) this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.span.end();
  }
}

/** Creates the tracer; throws on invalid options. */
export function createRequestTracer(o: TracingOptions): RequestTracer {
  const errors = checkTracingOptions(o);
  if (errors.length) throw new Error(`tracing: ${errors.join('; ')}`);
  const exporter = o.exporter ?? new OTLPTraceExporter({ url: o.endpoint, headers: o.headers ?? {}, timeoutMillis: 5000 });
  const ratio = new TraceIdRatioBasedSampler(o.sampleRatio);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': o.serviceName ?? 'agentcore-proxy', ...(o.instanceId ? { 'service.instance.id': o.instanceId } : {}) }),
    sampler: o.parentBased === false ? ratio : new ParentBasedSampler({ root: ratio }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: o.maxQueueSize ?? 2048, scheduledDelayMillis: o.scheduledDelayMs ?? 1000, maxExportBatchSize: 512 })],
  });
  const tracer: Tracer = provider.getTracer('agentcore-proxy');
  const propagator = new W3CTraceContextPropagator();
  return {
    startRequest(method, target, headers) {
      const parent = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      const path = target.split('?', 1)[0]!;
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } }, parent);
      return new SidecarRequestSpan(span, method);
    },
    forceFlush: () => provider.forceFlush().catch((e: Error) => void o.onFlushError?.(e)),
    shutdown: () => provider.shutdown().catch((e: Error) => void o.onFlushError?.(e)),
  };
}
