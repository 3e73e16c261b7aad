/**
 * The traffic server: node:http or node:https with the CLI's limits, the pipeline as its `request` listener, the
 * upgrade handler as its `upgrade` listener, and an answer in the spec's error format for requests Node's parser
 * refused (no request object exists for them, so they are logged and counted here).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errorBody, type PublicErrorCode } from '@agentcore/policies';
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config.js';
import type { ProxyMetrics } from '../record/metrics.js';
import { gateConnections } from './connection-gate.js';

/**
 * How often Node sweeps connections for the headers and request timeouts (its default, 30 s, let a 2 s timeout
 * fire after ~30 s): a quarter of the shortest timeout, between 100 ms and 1 s, so each fires within 1 s of its value.
 */
export function checkingIntervalMs(headersTimeoutMs: number, requestTimeoutMs: number): number {
  const shortest = requestTimeoutMs > 0 ? Math.min(headersTimeoutMs, requestTimeoutMs) : headersTimeoutMs;
  return Math.max(100, Math.min(1000, Math.floor(shortest / 4)));
}

/** The raw HTTP error response for requests Node's parser refused. */
function clientErrorResponse(status: number, code: PublicErrorCode, message: string, extra = ''): string {
  const body = errorBody(code, message, '-', {}, Date.now());
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}x-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`;
}

/** What Node's parser refused → status, public code and message. */
function clientErrorAnswer(code: string, maxHeaderBytes: number): [number, PublicErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'HEADERS_TOO_LARGE', `request headers exceed ${maxHeaderBytes} bytes; send fewer or smaller headers`];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'REQUEST_TIMEOUT', 'the request was not received in time'];
  return [400, 'INVALID_REQUEST', 'malformed HTTP request; check the request line, headers and framing'];
}

/** The listeners of the traffic server. */
export interface TrafficHandlers {
  onRequest(req: IncomingMessage, res: ServerResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/** Builds (does not start) the traffic server. */
export function createTrafficServer(config: ProxyConfig, h: TrafficHandlers, log: Logger, metrics: ProxyMetrics): Server {
  const serverOptions = {
    maxHeaderSize: config.maxHeaderBytes,
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(config.headersTimeoutMs, config.requestTimeoutMs),
    requireHostHeader: false,
    joinDuplicateHeaders: false,
  };
  const server: Server =
    config.tlsCert !== undefined
      ? (createHttpsServer({ ...serverOptions, cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey!), minVersion: config.tlsMinVersion }, h.onRequest) as unknown as Server)
      : createHttpServer(serverOptions, h.onRequest);
  server.on('upgrade', h.onUpgrade);
  // `Expect: 100-continue` and other expectations go through the stages like any request: the stages answer
  // other expectations 417, and the pipeline sends 100 Continue only once every stage has let the request through.
  server.on('checkContinue', h.onRequest);
  server.on('checkExpectation', h.onRequest);
  // CONNECT (Node would close the socket without a word): the sidecar is no forward proxy → 405 in our format.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    log.info({ status: 405, reason: 'CONNECT_NOT_ALLOWED', decision: 'deny', method: 'CONNECT', client: req.socket.remoteAddress }, 'access');
    metrics.requests.inc(['(none)', 'OTHER', '4xx', 'deny']);
    socket.on('error', () => socket.destroy());
    socket.end(clientErrorResponse(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported: this is a reverse proxy, not a forward proxy', 'allow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n'));
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const code = err.code ?? '';
    // Part of a response already went out (e.g. the request timeout cut a body being relayed): only close.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    const [status, publicCode, message] = clientErrorAnswer(code, config.maxHeaderBytes);
    log.info({ status, reason: code || 'CLIENT_ERROR', decision: 'deny', client: socket.remoteAddress }, 'access');
    metrics.requests.inc(['(none)', 'OTHER', '4xx', 'deny']);
    socket.end(clientErrorResponse(status, publicCode, message));
    socket.destroySoon?.();
  });
  gateConnections(server, config, config.tlsCert !== undefined, (cap, client) => {
    log.info({ status: 503, reason: cap === 'total' ? 'MAX_CONNECTIONS' : 'MAX_CONNECTIONS_PER_CLIENT', decision: 'error', client }, 'connection refused');
    metrics.requests.inc(['(none)', 'OTHER', '5xx', 'error']);
  });
  return server;
}
