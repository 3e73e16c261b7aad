/**
 * The relayed WebSocket connections of a process, each with the handshake context that admitted it. An open
 * connection must not outlive what admitted it: on every bundle change each one is checked again (the stages
 * that decide who may connect — accept, route, authenticate, authorize — under the new bundle, with the
 * credential the handshake presented), and at the credential's expiry (JWT `exp`, API key `expiresAt`); one no
 * longer allowed is closed on both legs with 1008 policy violation. See docs/websocket.md.
 */
import type { Logger } from 'pino';
import type { RequestContext } from '../pipeline/request-context.js';
import type { Respond } from '../pipeline/stage.js';
import type { WebSocketRelay } from './websocket-relay.js';

/** The verdict of a re-check: a refusal, or the new context (whose principal may carry a new expiry). */
export interface Recheck {
  refused: Respond | undefined;
  ctx: RequestContext;
}

interface Held {
  ctx: RequestContext;
  expiry: NodeJS.Timeout | undefined;
}

/** Longest delay a Node timer takes (about 24.8 days); a later expiry re-arms when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Tracks open relays and closes those no longer allowed. */
export class OpenConnections {
  private readonly held = new Map<WebSocketRelay, Held>();

  constructor(
    private readonly check: (ctx: RequestContext) => Promise<Recheck>,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** The relays held now. */
  relays(): IterableIterator<WebSocketRelay> {
    return this.held.keys();
  }

  /** Starts tracking a relay admitted by `ctx`, closing it when the credential expires. */
  add(relay: WebSocketRelay, ctx: RequestContext): void {
    const h: Held = { ctx, expiry: undefined };
    this.held.set(relay, h);
    this.arm(relay, h, ctx.principal?.expiresAt);
  }

  /** Stops tracking a relay (it ended). */
  delete(relay: WebSocketRelay): void {
    const h = this.held.get(relay);
    if (h) clearTimeout(h.expiry);
    this.held.delete(relay);
  }

  /** Checks every open connection against the bundle in force now; closes (1008) those it refuses. */
  recheckAll(): Promise<void> {
    const all = [...this.held].map(([relay, h]) =>
      this.check(h.ctx).then(
        (r) => {
          if (!this.held.has(relay)) return;
          if (r.refused && r.refused.decision === 'deny') {
            this.revoke(relay, h, r.refused.reason, r.refused.message ?? 'no longer allowed');
            return;
          }
          // Still allowed (or our own failure, e.g. JWKS unavailable: not the client's fault, keep it).
          if (!r.refused) this.arm(relay, h, r.ctx.principal?.expiresAt);
        },
        (err: unknown) => this.log.error({ err, request_id: h.ctx.requestId }, 'WebSocket re-check failed'),
      ),
    );
    return Promise.all(all).then(() => undefined);
  }

  private arm(relay: WebSocketRelay, h: Held, expiresAt: number | undefined): void {
    clearTimeout(h.expiry);
    h.expiry = undefined;
    if (expiresAt === undefined) return;
    const left = expiresAt - Date.now();
    if (left <= 0) {
      this.revoke(relay, h, 'CREDENTIAL_EXPIRED', 'the credential expired');
      return;
    }
    h.expiry = setTimeout(() => {
      if (left > MAX_TIMER_MS) this.arm(relay, h, expiresAt);
      else this.revoke(relay, h, 'CREDENTIAL_EXPIRED', 'the credential expired');
    }, Math.min(left, MAX_TIMER_MS));
    h.expiry.unref();
  }

  private revoke(relay: WebSocketRelay, h: Held, reason: string, message: string): void {
    clearTimeout(h.expiry);
    h.expiry = undefined;
    this.log.info({ request_id: h.ctx.requestId, route: h.ctx.route?.id, principal: h.ctx.principal?.id ?? null, reason }, 'WebSocket closed: no longer allowed (1008)');
    relay.revoke(message);
  }
}
