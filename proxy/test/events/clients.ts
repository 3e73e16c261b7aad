/** Test clients: a raw SSE reader over node:http (sends Last-Event-ID like EventSource) and a collecting `ws` client. */
import { request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

/** One parsed SSE frame. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

/** Waits until `pred()` holds, polling; throws with `what` after `ms`. */
export async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface SseClient {
  status: number;
  body: string;
  frames: SseFrame[];
  /** data of event frames, parsed */
  events(): { id: string; topic: string; type: string; data: unknown; owner?: string }[];
  ended: boolean;
  res: IncomingMessage;
  req: ClientRequest;
  close(): void;
}

function parseFrame(block: string): SseFrame {
  const f: SseFrame = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) f.comment = line.slice(1).trim();
    const i = line.indexOf(':');
    const [k, v] = i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1).replace(/^ /, '')];
    if (k === 'id') f.id = v;
    else if (k === 'event') f.event = v;
    else if (k === 'data') f.data = f.data === undefined ? v : `${f.data}\n${v}`;
    else if (k === 'retry') f.retry = Number(v);
  }
  return f;
}

/** Opens an SSE stream; resolves once the response headers arrive. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      const client: SseClient = {
        status: res.statusCode ?? 0,
        body: '',
        frames: [],
        events: () => client.frames.filter((f) => f.event === undefined && f.data !== undefined).map((f) => JSON.parse(f.data as string)),
        ended: false,
        res,
        req,
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (client.status !== 200) {
          client.body += chunk;
          return;
        }
        buf += chunk;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          client.frames.push(parseFrame(buf.slice(0, i)));
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => (client.ended = true));
      res.on('close', () => (client.ended = true));
      res.on('error', () => (client.ended = true));
      resolve(client);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A ws client that keeps every JSON message it receives. */
export interface WsClient {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  /** `event` payloads of one subscription */
  events(subscription?: string): { id: string; topic: string; type: string; data: unknown }[];
  closed: { code: number; reason: string } | undefined;
  send(msg: unknown): void;
}

export async function openWs(url: string, token: string | undefined, options: { autoPong?: boolean } = {}): Promise<WsClient> {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const ws = new WebSocket(url, { headers, autoPong: options.autoPong ?? true });
  const client: WsClient = {
    ws,
    messages: [],
    events: (sub) =>
      client.messages
        .filter((m) => m.type === 'event' && (sub === undefined || m.subscription === sub))
        .map((m) => m.event as { id: string; topic: string; type: string; data: unknown }),
    closed: undefined,
    send: (msg) => ws.send(JSON.stringify(msg)),
  };
  ws.on('message', (data) => client.messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('close', (code, reason) => (client.closed = { code, reason: String(reason) }));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}
