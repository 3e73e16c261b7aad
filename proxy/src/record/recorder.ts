/** The record step: every request ends here exactly once — one access-log line, the metrics, then the owner's hook. */
import type { RequestContext } from '../pipeline/request-context.js';
import { logAccess, type AccessLogSink } from './access-log.js';
import type { ProxyMetrics } from './metrics.js';

/** Records a finished request with its final status. */
export type Recorder = (ctx: RequestContext, status: number) => void;

/** What the recorder writes to, and who hears about each finished request. */
export interface RecorderDeps {
  accessLog: AccessLogSink;
  metrics: ProxyMetrics;
  /** called when a request finishes (drain accounting, counters, access-log shipping) */
  onFinish?: (ctx: RequestContext, status: number) => void;
}

/** Builds the recorder. */
export function createRecorder(d: RecorderDeps): Recorder {
  return (ctx, status) => {
    const end = performance.now();
    try {
      logAccess(d.accessLog, ctx, status, end);
      d.metrics.observe(ctx, status, end);
    } finally {
      d.onFinish?.(ctx, status);
    }
  };
}
