/**
 * Test helper for stage unit tests: the demo bundle compiled into a real runtime, and request contexts built from
 * real header values (a plain IncomingMessage-shaped object; stages read only headers, url, method and socket).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateBundle, type PolicyBundleInput } from '@agentcore/policies';
import { compileRuntime, type PolicyRuntime } from '../src/bundle/policy-runtime.js';
import { newRequestContext, type RequestContext } from '../src/pipeline/request-context.js';
import type { Stage, StageResult } from '../src/pipeline/stage.js';
import { UpstreamPools } from '../src/upstream/upstream-pools.js';
import { demoBundle } from './helpers.js';

/** A request as a stage sees it. */
export interface StageRequest {
  method?: string;
  url?: string;
  /** lower-case names; the raw header list is built from them in order */
  headers?: Record<string, string>;
  remoteAddress?: string;
}

/** Compiles a bundle (the demo bundle by default) in front of a local upstream that is never contacted. */
export async function runtimeOf(bundle: PolicyBundleInput = demoBundle()): Promise<{ runtime: PolicyRuntime; close(): Promise<void> }> {
  const v = validateBundle(bundle);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  const pools = new UpstreamPools({ connectTimeoutMs: 100, connections: 1, keepAliveTimeoutMs: 1000 });
  const runtime = await compileRuntime(v.bundle, { localUpstream: 'http://127.0.0.1:9', pools, tls: false, env: {} });
  return {
    runtime,
    close: async () => {
      runtime.close();
      await pools.close();
    },
  };
}

/** A fresh context for `r` under `runtime`, as the pipeline creates it. */
export function contextOf(runtime: PolicyRuntime, r: StageRequest): RequestContext {
  // An HTTP/1.1 request carries Host (RFC 9112 §3.2): `localhost` unless the request gives its own.
  const headers: Record<string, string> = { host: 'localhost', ...r.headers };
  const rawHeaders = Object.entries(headers).flat();
  const req = { method: r.method ?? 'GET', url: r.url ?? '/', httpVersion: '1.1', headers, rawHeaders, socket: { remoteAddress: r.remoteAddress ?? '127.0.0.1' }, complete: true };
  return newRequestContext(req as unknown as IncomingMessage, {} as ServerResponse, runtime);
}

/** Runs stages in order as the pipeline does, stopping at the first answer. */
export async function runUpTo(stages: readonly Stage[], ctx: RequestContext): Promise<StageResult> {
  for (const s of stages) {
    const r = await s.run(ctx);
    if (r) return r;
  }
  return undefined;
}
