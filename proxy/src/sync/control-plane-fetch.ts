/**
 * The HTTP client of the sidecar's control-plane traffic (bundle long-poll, status reports). By default it owns an
 * undici Agent so that `close()` ends every socket it opened: nothing keeps the process alive after a sync stops.
 * undici's index (fetch and everything else) is loaded on the first control-plane request, not at start: a sidecar
 * on a bundle file never pays its ~8 MB RSS (issue #16; the data plane loads only `Pool`, `upstream/undici-pool.ts`).
 */
import type { Agent, fetch as UndiciFetch } from 'undici';

type Loaded = { agent: Agent; fetch: typeof UndiciFetch };

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
  let loaded: Promise<Loaded> | undefined;
  const load = (): Promise<Loaded> =>
    (loaded ??= import('undici').then((u) => ({ agent: new u.Agent({ connect: { timeout: 5_000 }, keepAliveTimeout: 60_000 }), fetch: u.fetch })));
  return {
    fetch: async (url, init) => {
      const u = await load();
      return u.fetch(url, { ...init, dispatcher: u.agent });
    },
    close: async () => {
      if (loaded) await (await loaded).agent.destroy();
    },
  };
}

/** Reads and discards a response body so its connection can be reused; a body error is of no interest here. */
export async function discardBody(res: ControlPlaneResponse): Promise<void> {
  await res.text().catch(() => undefined);
}
