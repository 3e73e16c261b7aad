/**
 * The HTTP client of the sidecar's control-plane traffic (bundle long-poll, status reports). By default it owns an
 * undici Agent so that `close()` ends every socket it opened: nothing keeps the process alive after a sync stops.
 */
import { Agent, fetch as undiciFetch } from 'undici';

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
  return {
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: agent }),
    close: () => agent.destroy(),
  };
}

/** Reads and discards a response body so its connection can be reused; a body error is of no interest here. */
export async function discardBody(res: ControlPlaneResponse): Promise<void> {
  await res.text().catch(() => undefined);
}
