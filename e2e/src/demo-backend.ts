/**
 * The demo "agents" backend: what the quick start puts behind a sidecar and what the
 * whole-system tests proxy to. node:http only, no dependencies, all state in memory.
 * Errors use the spec's error body (`{"error":{"code","message","details","request_id","timestamp"}}`).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeIdentity } from './identity-headers.js';

/** Request bodies larger than this are refused with 413 PAYLOAD_TOO_LARGE. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One request as the backend received it, for assertions in tests. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** name/value pairs flattened, exactly as on the wire (case and order kept) */
  rawHeaders: string[];
  body: string;
}

/** A running demo backend. */
export interface DemoBackend {
  url: string;
  port: number;
  /** ends open streams and connections, then stops listening */
  close(): Promise<void>;
  /** every request received, for assertions (oldest dropped past `recordLimit`) */
  received: ReceivedRequest[];
  /** Server-Sent Events streams currently open */
  readonly sseClientsOpen: number;
}

export interface DemoBackendOptions {
  /** 0 (default) picks a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** no per-request log line on stdout; default false */
  quiet?: boolean;
  /** how many requests `received` keeps, oldest dropped first; default 10,000 */
  recordLimit?: number;
}

/** An agent as the demo API serves it. */
export interface Agent {
  id: string;
  name: string;
  status: AgentStatus;
  created_at: string;
}
export type AgentStatus = 'idle' | 'running' | 'failed';
const AGENT_STATUSES: readonly string[] = ['idle', 'running', 'failed'];

/** A workflow as the demo API serves it. */
export interface Workflow {
  id: string;
  name: string;
  created_at: string;
}

type ErrorCode = 'INVALID_REQUEST' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'PAYLOAD_TOO_LARGE';
const ERROR_STATUS: Record<ErrorCode, number> = { INVALID_REQUEST: 400, NOT_FOUND: 404, METHOD_NOT_ALLOWED: 405, PAYLOAD_TOO_LARGE: 413 };

const DEFAULT_SSE_INTERVAL_MS = 1000;
const MAX_WAIT_MS = 600_000;
const MAX_STREAM_CHUNKS = 100_000;
const MAX_BYTES = 1024 * 1024 * 1024;

/** What a handler gets: the request, its parsed parts and the response. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: string;
  requestId: string;
}
type Handler = (x: Exchange) => void;

/** A route: path segments (`*` = any one segment, trailing `**` = any rest) and a handler per method. */
interface RouteDef {
  segments: string[];
  methods: Partial<Record<string, Handler>>;
  allow: string;
}

/** Starts the demo backend; resolves once it listens. */
export function startDemoBackend(options: DemoBackendOptions = {}): Promise<DemoBackend> {
  const host = options.host ?? '127.0.0.1';
  const quiet = options.quiet ?? false;
  const recordLimit = options.recordLimit ?? 10_000;
  const startedAt = Date.now();
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let sseClientsOpen = 0;

  const agents = new Map<string, Agent>();
  for (const [name, status] of [
    ['planner', 'idle'],
    ['researcher', 'running'],
    ['summarizer', 'failed'],
  ] as const) {
    const a: Agent = { id: randomUUID(), name, status, created_at: new Date(startedAt).toISOString() };
    agents.set(a.id, a);
  }
  const workflows = new Map<string, Workflow>();
  for (const name of ['daily-report', 'triage']) {
    const w: Workflow = { id: randomUUID(), name, created_at: new Date(startedAt).toISOString() };
    workflows.set(w.id, w);
  }

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };
  const cancel = (t: NodeJS.Timeout): void => {
    clearTimeout(t);
    timers.delete(t);
  };

  // ------------------------------------------------------------ agents

  const findAgent = (x: Exchange): Agent | undefined => {
    const a = agents.get(x.params[0] ?? '');
    if (!a) sendError(x, 'NOT_FOUND', `agent "${x.params[0] ?? ''}" not found`, { agent_id: x.params[0] });
    return a;
  };

  /** Applies `name`/`status` from a JSON body; `full` (PUT) requires both. Answers 400 itself and returns false on a bad body. */
  const applyAgentFields = (x: Exchange, target: { name?: string; status?: AgentStatus }, full: boolean): boolean => {
    const input = parseJsonObject(x);
    if (!input) return false;
    const { name, status } = input;
    if (name !== undefined || full) {
      if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
        sendError(x, 'INVALID_REQUEST', 'Request validation failed', { field: 'name', issue: 'must be a non-empty string of at most 200 characters' });
        return false;
      }
      target.name = name;
    }
    if (status !== undefined || (full && x.req.method === 'PUT')) {
      if (typeof status !== 'string' || !AGENT_STATUSES.includes(status)) {
        sendError(x, 'INVALID_REQUEST', 'Request validation failed', { field: 'status', issue: 'must be one of idle, running, failed' });
        return false;
      }
      target.status = status as AgentStatus;
    }
    return true;
  };

  const createAgent: Handler = (x) => {
    const fields: { name?: string; status?: AgentStatus } = {};
    if (!applyAgentFields(x, fields, true)) return;
    const a: Agent = { id: randomUUID(), name: fields.name ?? '', status: 'idle', created_at: new Date().toISOString() };
    agents.set(a.id, a);
    sendJson(x.res, 201, a, { location: `/api/v1/agents/${a.id}` });
  };

  const updateAgent: Handler = (x) => {
    const a = findAgent(x);
    if (!a) return;
    const fields: { name?: string; status?: AgentStatus } = {};
    if (!applyAgentFields(x, fields, x.req.method === 'PUT')) return;
    Object.assign(a, fields);
    sendJson(x.res, 200, a);
  };

  /** `GET /api/v1/agents/{id}/status`: Server-Sent Events, one numbered `status` event per interval. */
  const agentStatusStream: Handler = (x) => {
    const a = findAgent(x);
    if (!a) return;
    const interval = intParam(x, 'interval_ms', DEFAULT_SSE_INTERVAL_MS, 1, MAX_WAIT_MS);
    const maxEvents = intParam(x, 'max_events', 0, 0, Number.MAX_SAFE_INTEGER);
    if (interval === undefined || maxEvents === undefined) return;
    const lastId = Number.parseInt(String(x.req.headers['last-event-id'] ?? ''), 10);
    let next = Number.isSafeInteger(lastId) && lastId >= 0 ? lastId + 1 : 1;
    let sent = 0;
    const { res } = x;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    if (x.req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(`retry: ${interval}\n\n`);
    sseClientsOpen++;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      const data = JSON.stringify({ agent_id: a.id, status: a.status, seq: next, timestamp: new Date().toISOString() });
      res.write(`id: ${next}\nevent: status\ndata: ${data}\n\n`);
      next++;
      sent++;
      if (maxEvents > 0 && sent >= maxEvents) res.end();
      else timer = later(interval, tick);
    };
    res.on('close', () => {
      sseClientsOpen--;
      if (timer) cancel(timer);
    });
    tick();
  };

  // ------------------------------------------------------------ workflows

  const createWorkflow: Handler = (x) => {
    const input = parseJsonObject(x);
    if (!input) return;
    if (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200) {
      sendError(x, 'INVALID_REQUEST', 'Request validation failed', { field: 'name', issue: 'must be a non-empty string of at most 200 characters' });
      return;
    }
    const w: Workflow = { id: randomUUID(), name: input.name, created_at: new Date().toISOString() };
    workflows.set(w.id, w);
    sendJson(x.res, 201, w, { location: `/api/v1/workflows/${w.id}` });
  };

  const startRun: Handler = (x) => {
    const w = workflows.get(x.params[0] ?? '');
    if (!w) return sendError(x, 'NOT_FOUND', `workflow "${x.params[0] ?? ''}" not found`, { workflow_id: x.params[0] });
    if (x.body !== '' && !parseJsonObject(x)) return;
    const run = { id: randomUUID(), workflow_id: w.id, status: 'queued', created_at: new Date().toISOString() };
    sendJson(x.res, 202, run, { location: `/api/v1/workflows/${w.id}/runs/${run.id}` });
  };

  // ------------------------------------------------------------ test helpers

  const slow: Handler = (x) => {
    const ms = intParam(x, 'ms', 1000, 0, MAX_WAIT_MS);
    if (ms === undefined) return;
    const t = later(ms, () => sendJson(x.res, 200, { slept_ms: ms }));
    x.res.on('close', () => cancel(t));
  };

  /** A JSON array sent one element per chunk (chunked transfer coding), `interval_ms` apart. */
  const stream: Handler = (x) => {
    const chunks = intParam(x, 'chunks', 5, 0, MAX_STREAM_CHUNKS);
    const interval = intParam(x, 'interval_ms', 100, 0, MAX_WAIT_MS);
    if (chunks === undefined || interval === undefined) return;
    const { res } = x;
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
    res.write('[');
    let i = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      if (i >= chunks) {
        res.end(']');
        return;
      }
      res.write(`${i === 0 ? '' : ','}${JSON.stringify({ chunk: i, timestamp: new Date().toISOString() })}`);
      i++;
      timer = later(interval, tick);
    };
    res.on('close', () => {
      if (timer) cancel(timer);
    });
    tick();
  };

  const routes: RouteDef[] = [
    route('/healthz', { GET: (x) => sendJson(x.res, 200, { status: 'ok' }) }),
    route('/api/v1/status', {
      GET: (x) => sendJson(x.res, 200, { service: 'agents', version: '1.0.0', uptime_s: Math.round(Date.now() - startedAt) / 1000 }),
    }),
    route('/api/v1/agents', { GET: (x) => sendJson(x.res, 200, { agents: [...agents.values()], total: agents.size }), POST: createAgent }),
    route('/api/v1/agents/*', {
      GET: (x) => {
        const a = findAgent(x);
        if (a) sendJson(x.res, 200, a);
      },
      PUT: updateAgent,
      PATCH: updateAgent,
      DELETE: (x) => {
        if (!findAgent(x)) return;
        agents.delete(x.params[0] ?? '');
        x.res.writeHead(204).end();
      },
    }),
    route('/api/v1/agents/*/status', { GET: agentStatusStream }),
    route('/api/v1/workflows', {
      GET: (x) => sendJson(x.res, 200, { workflows: [...workflows.values()], total: workflows.size }),
      POST: createWorkflow,
    }),
    route('/api/v1/workflows/*', {
      GET: (x) => {
        const w = workflows.get(x.params[0] ?? '');
        if (w) sendJson(x.res, 200, w);
        else sendError(x, 'NOT_FOUND', `workflow "${x.params[0] ?? ''}" not found`, { workflow_id: x.params[0] });
      },
    }),
    route('/api/v1/workflows/*/runs', { POST: startRun }),
    route('/api/v1/debug/echo', allMethods(echo)),
    route('/api/v1/admin', allMethods((x) => sendJson(x.res, 200, { admin: true }))),
    route('/api/v1/admin/**', allMethods((x) => sendJson(x.res, 200, { admin: true }))),
    route('/__test/slow', { GET: slow }),
    route('/__test/stream', { GET: stream }),
    route('/__test/bad-header', { GET: badHeader }),
    route('/__test/destroy', { GET: destroyMidResponse }),
    route('/__test/bytes', { GET: bytes }),
  ];

  const dispatch = (x: Exchange): void => {
    const segments = x.path.split('/').slice(1);
    for (const r of routes) {
      const params = matchSegments(r.segments, segments);
      if (!params) continue;
      x.params = params;
      const method = x.req.method === 'HEAD' ? 'GET' : (x.req.method ?? 'GET');
      const handler = r.methods[method];
      if (handler) return handler(x);
      if (method === 'OPTIONS') {
        x.res.writeHead(204, { allow: r.allow }).end();
        return;
      }
      x.res.setHeader('allow', r.allow);
      return sendError(x, 'METHOD_NOT_ALLOWED', `method ${x.req.method ?? ''} not allowed on ${x.path}`, { allow: r.allow.split(', ') });
    }
    sendError(x, 'NOT_FOUND', `no route for ${x.path}`, { path: x.path });
  };

  const server = createServer((req, res) => {
    const started = performance.now();
    if (!quiet) {
      res.on('close', () => {
        const ms = (performance.now() - started).toFixed(1);
        process.stdout.write(`${new Date().toISOString()} ${req.method ?? '-'} ${req.url ?? '-'} ${res.statusCode}${res.writableFinished ? '' : ' (aborted)'} ${ms}ms\n`);
      });
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const incomingId = req.headers['x-request-id'];
    const x: Exchange = {
      req,
      res,
      path: q === -1 ? url : url.slice(0, q),
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      params: [],
      body: '',
      requestId: typeof incomingId === 'string' && incomingId !== '' ? incomingId : randomUUID(),
    };
    const record = (): void => {
      received.push({ method: req.method ?? '', url, headers: req.headers, rawHeaders: req.rawHeaders, body: x.body });
      if (received.length > recordLimit) received.splice(0, received.length - recordLimit);
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      record();
      return refuseBody(x);
    }
    readBody(req, MAX_BODY_BYTES).then(
      (body) => {
        x.body = body;
        record();
        dispatch(x);
      },
      () => {
        record();
        refuseBody(x);
      },
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${urlHost}:${port}`,
        port,
        received,
        get sseClientsOpen() {
          return sseClientsOpen;
        },
        close: () =>
          new Promise<void>((done, fail) => {
            for (const t of timers) clearTimeout(t);
            timers.clear();
            server.close((err) => (err ? fail(err) : done()));
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

// ------------------------------------------------------------ route table

function route(path: string, methods: Partial<Record<string, Handler>>): RouteDef {
  return { segments: path.split('/').slice(1), methods, allow: Object.keys(methods).join(', ') };
}

function allMethods(h: Handler): Partial<Record<string, Handler>> {
  return { GET: h, POST: h, PUT: h, PATCH: h, DELETE: h };
}

/** Matches request path segments against a pattern; returns the `*` captures, or undefined. */
function matchSegments(pattern: readonly string[], path: readonly string[]): string[] | undefined {
  const params: string[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '**') return path.length > i ? params : undefined;
    const s = path[i];
    if (s === undefined) return undefined;
    if (p === '*') {
      if (s === '') return undefined;
      params.push(s);
    } else if (p !== s) return undefined;
  }
  return path.length === pattern.length ? params : undefined;
}

// ------------------------------------------------------------ handlers without state

/** `/api/v1/debug/echo`: exactly what arrived (headers both as parsed and raw, in wire order), and the identity decoded. */
function echo(x: Exchange): void {
  const { req } = x;
  const identity = decodeIdentity(req.headers) ?? null;
  sendJson(x.res, 200, { method: req.method, url: req.url, httpVersion: req.httpVersion, headers: req.headers, rawHeaders: req.rawHeaders, identity, body: x.body });
}

/** Writes a response whose header block is not valid HTTP, straight to the socket. */
function badHeader(x: Exchange): void {
  const socket = x.req.socket;
  socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nBad Header Name: x\r\nthis line has no colon\r\nContent-Length: 2\r\n\r\n{}');
}

/** Sends the headers and part of a declared body, then destroys the socket. */
function destroyMidResponse(x: Exchange): void {
  const { res } = x;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1024' });
  res.write('{"partial":"this body is cut off', () => setTimeout(() => res.socket?.destroy(), 20));
}

/** `n` bytes of `application/octet-stream`, written with backpressure. */
function bytes(x: Exchange): void {
  const n = intParam(x, 'n', 1024, 0, MAX_BYTES);
  if (n === undefined) return;
  const { res } = x;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(n) });
  const block = Buffer.alloc(Math.min(n, 64 * 1024), 'abcdefghijklmnopqrstuvwxyz0123456789\n');
  let left = n;
  const pump = (): void => {
    while (left > 0) {
      const chunk = left >= block.length ? block : block.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

// ------------------------------------------------------------ request and response helpers

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('body too large'));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function refuseBody(x: Exchange): void {
  x.res.setHeader('connection', 'close');
  sendError(x, 'PAYLOAD_TOO_LARGE', `request body exceeds ${MAX_BODY_BYTES} bytes`, { limit_bytes: MAX_BODY_BYTES });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function sendError(x: Exchange, code: ErrorCode, message: string, details: Record<string, unknown> = {}): void {
  sendJson(x.res, ERROR_STATUS[code], { error: { code, message, details, request_id: x.requestId, timestamp: new Date().toISOString() } });
}

/** Parses the body as a JSON object; answers 400 itself and returns undefined otherwise. */
function parseJsonObject(x: Exchange): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(x.body);
  } catch (e) {
    sendError(x, 'INVALID_REQUEST', 'Request body is not valid JSON', { issue: (e as Error).message });
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    sendError(x, 'INVALID_REQUEST', 'Request body must be a JSON object', {});
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** An integer query parameter within [min, max]; answers 400 itself and returns undefined when invalid. */
function intParam(x: Exchange, name: string, fallback: number, min: number, max: number): number | undefined {
  const raw = x.query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    sendError(x, 'INVALID_REQUEST', `query parameter ${name} must be an integer from ${min} to ${max}`, { field: name, value: raw });
    return undefined;
  }
  return n;
}
