/** One request to the control plane's bundle endpoint (a long-poll with `If-None-Match`), and what it gave. */
import { discardBody, type ControlPlaneClient } from './control-plane-fetch.js';

/** The outcome of one request to the bundle endpoint. */
export type PollOutcome =
  | { kind: 'bundle'; jws: string; etag: string | undefined }
  | { kind: 'unchanged' }
  /** 401/403: the sidecar credential is wrong */
  | { kind: 'refused'; status: number }
  /** network error, timeout, 5xx or any other status */
  | { kind: 'failed'; message: string };

/** Who asks: the sidecar credential and instance id. */
export interface PollIdentity {
  token: string;
  instanceId: string;
}

/** The entity tag without quotes or weak prefix (RFC 9110 §8.8.3). */
export function parseEtag(header: string | null): string | undefined {
  if (header === null) return undefined;
  const m = /^(?:W\/)?"([^"]*)"$/.exec(header.trim());
  const tag = m ? m[1] : header.trim();
  return tag === '' ? undefined : tag;
}

/** A poll outcome other than a bundle, in words for the log. */
export function describePoll(r: Exclude<PollOutcome, { kind: 'bundle' }>): string {
  if (r.kind === 'refused') return `control plane refused the sidecar credential (HTTP ${r.status}); check --token`;
  if (r.kind === 'failed') return r.message;
  return 'unchanged';
}

/** Asks for the bundle, waiting up to `wait` seconds for a change of `ifNoneMatch`; aborted by `stop` or `timeoutMs`. */
export async function pollBundle(
  client: ControlPlaneClient,
  url: string,
  who: PollIdentity,
  ifNoneMatch: string | undefined,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<PollOutcome> {
  const ac = new AbortController();
  const onStop = (): void => ac.abort(new Error('bundle sync stopped'));
  stop.addEventListener('abort', onStop, { once: true });
  const timer = setTimeout(() => ac.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const headers: Record<string, string> = { authorization: `Bearer ${who.token}`, 'x-sidecar-instance': who.instanceId, accept: 'application/jose' };
    if (ifNoneMatch !== undefined) headers['if-none-match'] = `"${ifNoneMatch}"`;
    const res = await client.fetch(url, { method: 'GET', headers, signal: ac.signal });
    if (res.status === 200) return { kind: 'bundle', jws: (await res.text()).trim(), etag: parseEtag(res.headers.get('etag')) };
    await discardBody(res);
    if (res.status === 304) return { kind: 'unchanged' };
    if (res.status === 401 || res.status === 403) return { kind: 'refused', status: res.status };
    return { kind: 'failed', message: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error;
    const reason = ac.signal.aborted && ac.signal.reason instanceof Error ? ac.signal.reason.message : err.message;
    const cause = (err.cause as Error | undefined)?.message;
    return { kind: 'failed', message: cause && !ac.signal.aborted ? `${reason}: ${cause}` : reason };
  } finally {
    clearTimeout(timer);
    stop.removeEventListener('abort', onStop);
  }
}
