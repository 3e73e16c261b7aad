/** The WebSocket handshake: the client's checked (RFC 6455 §4.1), the backend's headers built from the request. */
import type { IncomingMessage } from 'node:http';
import { upstreamRequestHeaders } from '../forward/upstream-headers.js';
import type { RequestContext } from '../pipeline/request-context.js';

const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;

/** Headers `ws` sets itself on the backend handshake, or that must not cross (credentials in the protocol list). */
function skippedUpstreamHeader(lower: string): boolean {
  return lower.startsWith('sec-websocket-') || lower === 'content-length';
}

/** A client handshake as RFC 6455 §4.1 asks: GET, a 16-byte base64 key, version 13 (or 8). */
export function validHandshake(req: IncomingMessage): boolean {
  const h = req.headers;
  const key = h['sec-websocket-key'];
  const version = h['sec-websocket-version'];
  return req.method === 'GET' && key !== undefined && WS_KEY.test(key) && (version === '13' || version === '8');
}

/** The request headers for the backend handshake, as `ws` takes them. */
export function handshakeHeaders(ctx: RequestContext): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const list = upstreamRequestHeaders(ctx);
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!.toLowerCase();
    if (skippedUpstreamHeader(name)) continue;
    const v = list[i + 1]!;
    const prev = headers[name];
    headers[name] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return headers;
}
