/**
 * The HTTP client of the sidecar's control-plane traffic (bundle long-poll, status reports, access-log batches). It
 * owns an undici Agent so that `close()` ends every socket it opened: nothing keeps the process alive after a sync
 * stops. It speaks undici's `request` API rather than fetch: fetch is most of undici's index, ~8 MB RSS per worker
 * for three kinds of request (issue #16, `upstream/undici-core.ts`). What the callers read keeps fetch's shape: a
 * failure is a `TypeError('fetch failed')` whose `cause` is undici's error, an abort throws the signal's reason.
 * Unlike fetch it follows no redirect: the control plane sends none, and the bearer token must not follow one.
 */
import type { Dispatcher } from 'undici';
import { Agent } from '../upstream/undici-core.js';

/** The part of a fetch Response the sync code reads (both the global and undici's Response satisfy it). */
export interface ControlPlaneResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of `fetch` the sync code calls; the global `fetch` satisfies it, so tests and embedders may inject one. */
export type ControlPlaneFetch = (
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<ControlPlaneResponse>;

export interface ControlPlaneClient {
  fetch: ControlPlaneFetch;
  /** Closes the sockets of the owned agent (none to close when a fetch was injected). */
  close(): Promise<void>;
}

/** Wraps an injected fetch, or creates an undici Agent-backed one that `close()` tears down. */
export function createControlPlaneClient(injected?: ControlPlaneFetch): ControlPlaneClient {
  if (injected) return { fetch: injected, close: async () => {} };
  const agent = new Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 60_000 });
  return { fetch: (url, init) => send(agent, url, init), close: () => agent.destroy() };
}

/** One request through the agent, answered in the shape of a fetch Response. */
async function send(agent: Dispatcher, url: string, init: Parameters<ControlPlaneFetch>[1]): Promise<ControlPlaneResponse> {
  const u = new URL(url);
  let res: Dispatcher.ResponseData;
  try {
    res = await agent.request({ origin: u.origin, path: `${u.pathname}${u.search}`, method: init.method, headers: init.headers, body: init.body ?? null, signal: init.signal });
  } catch (err) {
    if (init.signal.aborted) throw init.signal.reason;
    throw new TypeError('fetch failed', { cause: err });
  }
  const headers = res.headers;
  return {
    status: res.statusCode,
    headers: {
      get(name: string): string | null {
        const v = headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    text: () => res.body.text(),
  };
}

/** Reads and discards a response body so its connection can be reused; a body error is of no interest here. */
export async function discardBody(res: ControlPlaneResponse): Promise<void> {
  await res.text().catch(() => undefined);
}
