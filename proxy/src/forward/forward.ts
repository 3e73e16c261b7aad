/**
 * The forward step: the only code that touches the upstream (HTTP; the WebSocket relay is `websocket/`). Each try
 * streams the request body to the target's undici pool with a low-level dispatch handler and the response back
 * with backpressure — `dispatch` measured about 20% faster than `request` + pipe on this code base, and undici
 * pipelining (more than one request per connection) was slower and once stalled a benchmark run, so pools use
 * `pipelining: 1` (`upstream/upstream-pools.ts`).
 *
 *   forwarding.ts       admission, target choice, tries, the one retry decision
 *   relay-handler.ts    one try: relays the response, feeds the cache, reports the outcome
 *   upstream-failure.ts what the proxy answers when forwarding fails (413, 400, 502, 503, 504)
 *   upstream-headers.ts the request headers sent upstream
 */
import type { RequestContext } from '../pipeline/request-context.js';
import { Forwarding, type ForwardOwner } from './forwarding.js';

/**
 * Forwards the request upstream through its route's cluster. Calls `owner.forwarded` once the request ended: with
 * the proxy's answer when forwarding failed before any response byte was sent, undefined when the response was
 * relayed (or cut, or the client left). An owner, not a promise or a callback: nothing allocated per request for
 * it (issue #16).
 */
export function forward(ctx: RequestContext, owner: ForwardOwner): void {
  new Forwarding(ctx, ctx.route!.upstream.cluster, owner).start();
}
