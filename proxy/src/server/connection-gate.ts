/**
 * The connection caps (issue #9, finding 7): at most --max-connections client connections per process and
 * --max-connections-per-client per TCP peer address. A connection over a cap is answered before any byte of it is
 * parsed — plain HTTP: `503` + `Retry-After: 1` in the spec's error body, then closed; TLS: closed (no handshake
 * is spent on it) — and never reaches Node's HTTP machinery.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '@agentcore/policies';
import { plainAddress } from '../accept/client-address.js';

/** The caps. */
export interface ConnectionCaps {
  maxConnections: number;
  /** default: 1000, or `maxConnections` if lower */
  maxConnectionsPerClient?: number | undefined;
}

/** What a refused connection is told (plain HTTP only). */
function refusal(message: string): string {
  const body = errorBody('SERVICE_UNAVAILABLE', message, '-', {}, Date.now());
  return `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 1\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`;
}

/** Counts open connections. */
export class ConnectionCounter {
  total = 0;
  private readonly perClient = new Map<string, number>();

  private readonly perClientCap: number;

  constructor(private readonly caps: ConnectionCaps) {
    this.perClientCap = caps.maxConnectionsPerClient ?? Math.min(1000, caps.maxConnections);
  }

  /** Takes a place for `client`, or says which cap refuses it. */
  admit(client: string): 'ok' | 'total' | 'client' {
    if (this.total >= this.caps.maxConnections) return 'total';
    const n = this.perClient.get(client) ?? 0;
    if (n >= this.perClientCap) return 'client';
    this.total++;
    this.perClient.set(client, n + 1);
    return 'ok';
  }

  /** Frees the place of `client`. */
  release(client: string): void {
    this.total--;
    const n = (this.perClient.get(client) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(client);
    else this.perClient.set(client, n);
  }
}

/** Puts the caps in front of the server's own `connection` listener(s); `onRefused` is told of each refusal. */
export function gateConnections(server: Server, caps: ConnectionCaps, tls: boolean, onRefused: (cap: 'total' | 'client', client: string) => void): ConnectionCounter {
  const counter = new ConnectionCounter(caps);
  const inner = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    const client = plainAddress(socket.remoteAddress);
    const verdict = counter.admit(client);
    if (verdict !== 'ok') {
      onRefused(verdict, client);
      socket.on('error', () => socket.destroy());
      if (tls) {
        socket.destroy();
        return;
      }
      // Read and drop what the client sends (unread input would keep the half-open socket, and the server, alive
      // and turn the close into a reset that can swallow the answer); destroyed after 1 s whatever happens.
      socket.resume();
      socket.end(refusal(verdict === 'total' ? 'the sidecar holds its maximum of client connections; retry shortly' : 'too many connections from this client address; close some or retry shortly'));
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    socket.once('close', () => counter.release(client));
    for (const l of inner) l.call(server, socket);
  });
  return counter;
}
