/**
 * Relays one established WebSocket pair (client ↔ backend) message by message, preserving text
 * and binary, with backpressure instead of buffering, an idle timeout, and close codes carried
 * across (RFC 6455 §7.4). Pings and pongs are answered per side by `ws` and not relayed.
 */
import type { RawData, WebSocket } from 'ws';

/** Above this many bytes queued towards one side, the other side is paused until the queue drains below LOW. */
export const BACKPRESSURE_HIGH_BYTES = 1024 * 1024;
const BACKPRESSURE_LOW_BYTES = 256 * 1024;
const OPEN = 1;

/**
 * The code to send on the other leg for a close received on one leg: 1005 (no status) → 1000,
 * 1006 (abnormal closure) and anything not sendable → 1011 (RFC 6455 §7.4.1: 1005/1006 must not be sent).
 */
export function forwardedCloseCode(code: number): number {
  if (code === 1005) return 1000;
  if ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)) return code;
  return 1011;
}

/** The close code for a `ws` protocol error on one leg (message too big → 1009, bad UTF-8 → 1007, other framing → 1002). */
export function closeCodeForError(err: Error & { code?: string }): number {
  switch (err.code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH':
      return 1009;
    case 'WS_ERR_INVALID_UTF8':
      return 1007;
    case undefined:
      return 1011;
    default:
      return err.code.startsWith('WS_ERR_') ? 1002 : 1011;
  }
}

export interface RelayEnd {
  /** payload bytes client → backend */
  bytesIn: number;
  /** payload bytes backend → client */
  bytesOut: number;
  /** who closed first: 'client', 'upstream', 'idle', 'shutdown' or 'policy' (no longer allowed) */
  closedBy: string;
  /** close code seen first */
  code: number;
}

export interface RelayOptions {
  idleTimeoutMs: number;
  /** called once, when both legs are closed */
  onEnd(end: RelayEnd): void;
}

/** One client ↔ backend pair; listeners are bound once per pair, nothing is allocated per message. */
export class WebSocketRelay {
  private bytesIn = 0;
  private bytesOut = 0;
  private closedBy = '';
  private firstCode = 0;
  private open = 2;
  private readonly idle: NodeJS.Timeout;

  constructor(
    readonly client: WebSocket,
    readonly upstream: WebSocket,
    private readonly o: RelayOptions,
  ) {
    this.idle = setTimeout(this.onIdle, o.idleTimeoutMs);
    this.idle.unref();
    client.on('message', this.fromClient);
    upstream.on('message', this.fromUpstream);
    client.on('close', this.clientClosed);
    upstream.on('close', this.upstreamClosed);
    client.on('error', this.clientError);
    upstream.on('error', this.upstreamError);
  }

  /** Closes both legs with 1001 going away (sidecar shutdown). */
  shutdown(): void {
    this.closeBoth('shutdown', 1001, 'going away');
  }

  /** Closes both legs with 1008 policy violation: the connection is no longer allowed (reason ≤ 123 bytes). */
  revoke(reason: string): void {
    this.closeBoth('policy', 1008, reason.slice(0, 120));
  }

  /** Kills both legs without a closing handshake (after shutdown took too long). */
  terminate(): void {
    this.client.terminate();
    this.upstream.terminate();
  }

  private readonly fromClient = (data: RawData, isBinary: boolean): void => {
    this.idle.refresh();
    this.bytesIn += (data as Buffer).length;
    const up = this.upstream;
    if (up.readyState !== OPEN) return;
    up.send(data, { binary: isBinary }, this.upstreamWritten);
    if (up.bufferedAmount > BACKPRESSURE_HIGH_BYTES) this.client.pause();
  };

  private readonly fromUpstream = (data: RawData, isBinary: boolean): void => {
    this.idle.refresh();
    this.bytesOut += (data as Buffer).length;
    const c = this.client;
    if (c.readyState !== OPEN) return;
    c.send(data, { binary: isBinary }, this.clientWritten);
    if (c.bufferedAmount > BACKPRESSURE_HIGH_BYTES) this.upstream.pause();
  };

  private readonly upstreamWritten = (): void => {
    if (this.client.isPaused && this.upstream.bufferedAmount < BACKPRESSURE_LOW_BYTES) this.client.resume();
  };

  private readonly clientWritten = (): void => {
    if (this.upstream.isPaused && this.client.bufferedAmount < BACKPRESSURE_LOW_BYTES) this.upstream.resume();
  };

  private readonly onIdle = (): void => this.closeBoth('idle', 1001, 'idle timeout');

  private closeBoth(by: string, code: number, reason: string): void {
    this.noteFirst(by, code);
    if (this.client.readyState === OPEN) this.client.close(code, reason);
    if (this.upstream.readyState === OPEN) this.upstream.close(code, reason);
  }

  private noteFirst(by: string, code: number): void {
    if (this.closedBy !== '') return;
    this.closedBy = by;
    this.firstCode = code;
  }

  private readonly clientClosed = (code: number, reason: Buffer): void => {
    this.noteFirst('client', code);
    if (this.upstream.readyState === OPEN) this.upstream.close(forwardedCloseCode(code), reason);
    this.legClosed();
  };

  private readonly upstreamClosed = (code: number, reason: Buffer): void => {
    this.noteFirst('upstream', code);
    if (this.client.readyState === OPEN) this.client.close(forwardedCloseCode(code), reason);
    this.legClosed();
  };

  // `ws` closes the failing leg itself (with the code for the error); the other leg gets the same code now.
  private readonly clientError = (err: Error): void => {
    const code = closeCodeForError(err);
    this.noteFirst('client', code);
    if (this.upstream.readyState === OPEN) this.upstream.close(code, code === 1009 ? 'message too big' : '');
  };

  private readonly upstreamError = (err: Error): void => {
    const code = closeCodeForError(err);
    this.noteFirst('upstream', code);
    if (this.client.readyState === OPEN) this.client.close(code, code === 1009 ? 'message too big' : '');
  };

  private legClosed(): void {
    if (--this.open > 0) return;
    clearTimeout(this.idle);
    this.o.onEnd({ bytesIn: this.bytesIn, bytesOut: this.bytesOut, closedBy: this.closedBy, code: this.firstCode });
  }
}
