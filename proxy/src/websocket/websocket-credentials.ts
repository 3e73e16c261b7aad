/**
 * Browser WebSocket credentials: a browser cannot set `Authorization` on a WebSocket, so a route
 * may accept its bearer token in a `Sec-WebSocket-Protocol` entry or a query parameter. These pure
 * functions take the token out and return what is left, so the token is never forwarded upstream,
 * echoed back as the selected subprotocol, or written to the access log.
 *
 * Protocol convention: one subprotocol entry `bearer.<token>` (prefix case-insensitive), e.g.
 * `new WebSocket(url, ['chat.v1', 'bearer.' + token])`. JWTs and API keys consist of RFC 6455
 * token characters (`A-Z a-z 0-9 - _ .`), so they fit in an entry as they are.
 */

/** Prefix of the `Sec-WebSocket-Protocol` entry that carries the bearer token. */
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

/**
 * The marker subprotocol a browser offers beside `bearer.<token>` (`new WebSocket(url, ['bearer', 'bearer.' + t])`):
 * never offered to the backend; echoed to the client when the backend selects no subprotocol, because a browser
 * fails a handshake that offered subprotocols and got none back (issue #9).
 */
export const BEARER_MARKER_PROTOCOL = 'bearer';

/** Whether an offered subprotocol is the marker (case-insensitive). */
export const isBearerMarker = (p: string): boolean => p.toLowerCase() === BEARER_MARKER_PROTOCOL;

export interface ProtocolToken {
  /** the token, or undefined when no entry carries one */
  token: string | undefined;
  /** the offered subprotocols without the token entry (what the backend is offered) */
  protocols: string[];
}

/**
 * Splits a `Sec-WebSocket-Protocol` value (RFC 6455 §4.1, comma-separated tokens). Every
 * `bearer.` entry is removed even when the route does not accept tokens there: a credential is
 * never forwarded. The first one is the token.
 */
export function takeProtocolToken(header: string | undefined): ProtocolToken {
  const protocols: string[] = [];
  let token: string | undefined;
  if (header === undefined) return { token, protocols };
  for (const part of header.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (p.length >= BEARER_PROTOCOL_PREFIX.length && p.slice(0, BEARER_PROTOCOL_PREFIX.length).toLowerCase() === BEARER_PROTOCOL_PREFIX) {
      token ??= p.slice(BEARER_PROTOCOL_PREFIX.length);
      continue;
    }
    protocols.push(p);
  }
  return { token, protocols };
}

export interface QueryToken {
  token: string | undefined;
  /** the raw query (without `?`) minus every `name=` parameter */
  query: string;
}

const decodeComponent = (s: string): string => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** Takes the parameter `name` (exact, decoded name) out of a raw query; the first occurrence is the token. */
export function takeQueryToken(query: string, name: string): QueryToken {
  if (query === '') return { token: undefined, query };
  let token: string | undefined;
  const kept: string[] = [];
  for (const p of query.split('&')) {
    const eq = p.indexOf('=');
    const rawName = eq === -1 ? p : p.slice(0, eq);
    if (decodeComponent(rawName) === name) {
      token ??= eq === -1 ? '' : decodeComponent(p.slice(eq + 1));
      continue;
    }
    kept.push(p);
  }
  return token === undefined ? { token, query } : { token, query: kept.join('&') };
}
