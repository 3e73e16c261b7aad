/** The sidecar's local admin port: /healthz, /readyz, /metrics, /bundle. Never exposed with traffic. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { errorBody } from '@agentcore/policies';
/** Where /metrics text comes from: a prom-client registry, or the cluster aggregation. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface AdminState {
  ready(): boolean;
  bundleInfo(): Record<string, unknown> | Promise<Record<string, unknown>>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** `extra` may take a request first (the events publish path); it returns false to let the admin endpoints answer. */
export function createAdminServer(state: AdminState, metrics: MetricsSource, extra?: (req: IncomingMessage, res: ServerResponse) => boolean): Server {
  return createServer((req, res) => {
    if (extra?.(req, res)) return;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      json(res, 405, JSON.parse(errorBody('METHOD_NOT_ALLOWED', 'the admin port is read-only; use GET', '-', {}, Date.now())));
      return;
    }
    switch (path) {
      case '/healthz':
        json(res, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const ready = state.ready();
        void Promise.resolve(state.bundleInfo()).then((bundle) => json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', bundle }));
        return;
      }
      case '/bundle':
        void Promise.resolve(state.bundleInfo()).then((b) => json(res, 200, b));
        return;
      case '/metrics':
        metrics.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
            res.end(text);
          },
          (err: Error) => json(res, 500, JSON.parse(errorBody('INTERNAL_ERROR', `metrics failed: ${err.message}`, '-', {}, Date.now()))),
        );
        return;
      default:
        json(res, 404, JSON.parse(errorBody('NOT_FOUND', 'admin endpoints: /healthz /readyz /metrics /bundle, POST /events/<route>/publish', '-', {}, Date.now())));
    }
  });
}
