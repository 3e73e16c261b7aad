/**
 * The typed admin API client (openapi-fetch over the generated `schema.d.ts`): same origin, session
 * cookie, X-CSRF-Token on unsafe methods, and one place that turns failures into ApiError/NetworkError.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, apiErrorOf, NetworkError } from './api-error';
import type { paths } from './schema';

let csrfToken: string | undefined;
let lost = false;
const expiryListeners = new Set<() => void>();

/** Remembers the session's CSRF token (from sign-in or `GET /api/v1/session`). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
  if (token) lost = false;
}

/** Whether the last session ended under the user (a 401 after being signed in), to say so on the sign-in page. */
export const sessionWasLost = (): boolean => lost;

/** Calls `listener` whenever an authenticated request answers 401 (the session expired or was ended). */
export function onSessionExpired(listener: () => void): () => void {
  expiryListeners.add(listener);
  return () => expiryListeners.delete(listener);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const csrf: Middleware = {
  onRequest({ request }) {
    if (csrfToken && UNSAFE.has(request.method)) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    const isSessionCall = new URL(request.url).pathname === '/api/v1/session';
    if (response.status === 401 && !isSessionCall) {
      lost = true;
      for (const l of expiryListeners) l();
    }
    return response;
  },
};

/** The raw openapi-fetch client; prefer the functions of the `*-api.ts` modules. */
export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
  fetch: (req: Request) => globalThis.fetch(req).catch((e: unknown) => Promise.reject(new NetworkError(e))),
});
api.use(csrf);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a 2xx answer; throws the ApiError of any other. */
export async function unwrap<T>(p: Promise<Answer<T>>): Promise<T> {
  const r = await p;
  if (!r.response.ok) throw apiErrorOf(r.response.status, r.error);
  return r.data as T;
}

/** Like `unwrap`, also returning the ETag (for If-Match on the next write). */
export async function unwrapWithEtag<T>(p: Promise<Answer<T>>): Promise<{ data: T; etag: string }> {
  const r = await p;
  if (!r.response.ok) throw apiErrorOf(r.response.status, r.error);
  return { data: r.data as T, etag: r.response.headers.get('etag') ?? '*' };
}

/** Whether an error is the API's "someone else changed it" (412). */
export const isConflict = (e: unknown): e is ApiError => e instanceof ApiError && e.status === 412;
