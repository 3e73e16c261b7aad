/**
 * For component tests only: a stand-in for the admin API behind `fetch` (jsdom has no server). Each
 * handler answers one `METHOD /path`; unknown calls answer 404 so a test sees the unexpected call.
 * The real admin API is exercised by the browser tests in e2e/test/console-*.test.ts.
 */
import { vi } from 'vitest';

export type Handler = (req: Request, body: unknown) => Response | Promise<Response>;

/** A JSON answer. */
export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The spec's error body. */
export const apiError = (status: number, code: string, message: string, fields: { path: string; message: string }[] = []) =>
  json(status, { error: { code, message, details: fields.length ? { fields } : {}, request_id: 'req-test-1', timestamp: '2030-01-01T00:00:00Z' } });

/** Replaces `fetch`; returns the list of calls made (method, path, body, headers). */
export function fakeAdminApi(handlers: Record<string, Handler>) {
  const calls: { method: string; path: string; body: unknown; headers: Headers }[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const url = new URL(input.url);
    const text = input.method === 'GET' ? '' : await input.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    calls.push({ method: input.method, path: url.pathname + url.search, body, headers: input.headers });
    const h = handlers[`${input.method} ${url.pathname}`];
    return h ? h(input, body) : apiError(404, 'NOT_FOUND', `no fake for ${input.method} ${url.pathname}`);
  });
  return calls;
}

/** A signed-in session answer. */
export const SESSION = { username: 'sam', role: 'security-admin', via: 'session', csrfToken: 'csrf-1', expiresAt: '2030-01-01T00:00:00Z' };
