/** Builds the sidecar's request tracer from its flags (`--otlp-endpoint` and friends); none when tracing is off. */
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config.js';
import type { RequestTracer, TracingOptions } from './request-tracer.js';

/** Parses `name=value,name=value` (the OTEL_EXPORTER_OTLP_HEADERS format; values may be percent-encoded). */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    const name = pair.slice(0, i).trim();
    let value = pair.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // kept as written
    }
    out[name] = value;
  }
  return out;
}

/**
 * The tracer for `config`, or undefined when `--otlp-endpoint` is not set; `exporter` replaces OTLP (tests).
 * OpenTelemetry is loaded only when tracing is on (issue #16: it was ~15 MB of every idle worker's RSS).
 */
export async function tracerFromConfig(
  config: ProxyConfig,
  instanceId: string,
  log: Logger,
  extra: Pick<TracingOptions, 'exporter' | 'scheduledDelayMs'> = {},
): Promise<RequestTracer | undefined> {
  if (config.otlpEndpoint === undefined) return undefined;
  const { createRequestTracer } = await import('./request-tracer.js');
  return createRequestTracer({
    endpoint: config.otlpEndpoint,
    sampleRatio: config.traceSampleRatio,
    serviceName: config.traceServiceName,
    instanceId,
    headers: parseOtlpHeaders(config.otlpHeaders),
    ...extra,
    // The collector's address is logged, never its headers (they may hold a token).
    onFlushError: (err) => log.warn({ endpoint: config.otlpEndpoint, err: err.message }, 'trace export failed on drain'),
  });
}
