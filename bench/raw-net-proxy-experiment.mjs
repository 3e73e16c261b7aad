// EXPERIMENT, not a proxy: how much of the plain undici proxy's cost is node:http's server side? (issue #16)
// A `net` server that understands only what the benchmark sends — bodiless GET/HEAD requests, keep-alive, one at a
// time per connection — and forwards them with undici `Pool.dispatch` (raw header arrays both ways), writing the
// response head as one string and the body as it comes. No validation, no pipelining, no chunked bodies, no
// timeouts: an upper bound on what a leaner data-plane HTTP server could save, to be compared side by side with
// bench/undici-proxy-server.mjs (proxy-bench target `raw-net`).
// usage: node bench/raw-net-proxy-experiment.mjs <upstream-url> [port]; prints {"port":N} once listening.
import { createServer } from 'node:net';
import { Pool } from 'undici';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node bench/raw-net-proxy-experiment.mjs <upstream-url> [port]\n');
  process.exit(2);
}
const pool = new Pool(target, { connections: 256, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);

function onRequest(socket, head) {
  const lines = head.split('\r\n');
  const [method, path] = lines[0].split(' ');
  const headers = [];
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(':');
    if (c <= 0) continue;
    const name = lines[i].slice(0, c);
    if (!HOP.has(name.toLowerCase())) headers.push(name, lines[i].slice(c + 1).trim());
  }
  pool.dispatch(
    { path, method, headers, body: null },
    {
      onConnect() {},
      onHeaders(status, raw, resume) {
        let out = `HTTP/1.1 ${status} OK\r\n`;
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i].toString('latin1');
          if (!HOP.has(name.toLowerCase())) out += `${name}: ${raw[i + 1].toString('latin1')}\r\n`;
        }
        socket.write(out + 'connection: keep-alive\r\n\r\n');
        socket.once('drain', resume);
        return true;
      },
      onData(chunk) {
        return socket.write(chunk);
      },
      onComplete() {
        socket.busy = false;
        if (socket.pending) {
          const next = socket.pending;
          socket.pending = undefined;
          socket.busy = true;
          onRequest(socket, next);
        }
      },
      onError() {
        socket.destroy();
      },
    },
  );
}

const server = createServer((socket) => {
  let buf = '';
  socket.setNoDelay(true);
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    let end;
    while ((end = buf.indexOf('\r\n\r\n')) !== -1) {
      const head = buf.slice(0, end);
      buf = buf.slice(end + 4);
      if (socket.busy) socket.pending = head;
      else {
        socket.busy = true;
        onRequest(socket, head);
      }
    }
  });
  socket.on('error', () => socket.destroy());
});
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n'));
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
