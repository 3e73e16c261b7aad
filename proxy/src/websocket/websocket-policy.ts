/**
 * A route's WebSocket settings compiled once per route runtime (cached, so the upgrade path does
 * no per-connection parsing of the policy), and the Origin check against cross-site WebSocket
 * hijacking (RFC 6455 §10.2: the server must check `Origin` of browser clients).
 */
import type { RouteRuntime } from '../bundle/policy-runtime.js';

export interface CompiledWebSocketPolicy {
  readonly tokenInProtocol: boolean;
  readonly tokenInQuery: boolean;
  readonly queryParam: string;
  readonly anyOrigin: boolean;
  /** lower-case allowed origins */
  readonly origins: ReadonlySet<string>;
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxConnectionsPerClient: number;
}

const cache = new WeakMap<RouteRuntime, CompiledWebSocketPolicy | null>();

/** The route's WebSocket policy, or undefined when the route does not accept upgrades. */
export function webSocketPolicyOf(route: RouteRuntime): CompiledWebSocketPolicy | undefined {
  let c = cache.get(route);
  if (c === undefined) {
    c = compile(route);
    cache.set(route, c);
  }
  return c ?? undefined;
}

function compile(route: RouteRuntime): CompiledWebSocketPolicy | null {
  const w = route.route.websocket;
  if (!w || !w.enabled) return null;
  // Absent = the route's CORS origins (none when CORS is off); [] = no browser origin at all.
  const list = w.allowedOrigins;
  const anyOrigin = list === undefined ? (route.cors?.anyOrigin ?? false) : list.includes('*');
  const origins = list === undefined ? new Set(route.cors?.origins ?? []) : new Set(list.filter((o) => o !== '*').map((o) => o.toLowerCase()));
  return {
    tokenInProtocol: w.tokenIn.includes('protocol'),
    tokenInQuery: w.tokenIn.includes('query'),
    queryParam: w.queryParam,
    anyOrigin,
    origins,
    maxMessageBytes: w.maxMessageBytes,
    idleTimeoutMs: w.idleTimeoutMs,
    maxConnectionsPerClient: w.maxConnectionsPerClient,
  };
}

/** Whether a handshake with this `Origin` may connect; no `Origin` = a non-browser client, allowed (it has no ambient credentials to abuse). */
export function webSocketOriginAllowed(p: CompiledWebSocketPolicy, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  return p.anyOrigin || p.origins.has(origin.toLowerCase());
}
