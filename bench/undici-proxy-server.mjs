// Reference proxy for the benchmark: node:http + undici `Pool.dispatch` with a low-level handler (raw header
// arrays, backpressure), no policy work, no logs, no metrics — the floor a Node proxy can reach here.
// usage: node bench/undici-proxy-server.mjs <upstream-url> [port]; prints {"port":N} on stdout once listening.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node bench/undici-proxy-server.mjs <upstream-url>\n');
  process.exit(2);
}
const pool = new Pool(target, { connections: 256, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);

const server = createServer((req, res) => {
  const headers = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (!HOP.has(raw[i].toLowerCase())) headers.push(raw[i], raw[i + 1]);
  pool.dispatch(
    { path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
    {
      onConnect() {},
      onHeaders(status, rawHeaders, resume) {
        const out = [];
        for (let i = 0; i < rawHeaders.length; i += 2) {
          const name = rawHeaders[i].toString('latin1');
          if (!HOP.has(name.toLowerCase())) out.push(name, rawHeaders[i + 1].toString('latin1'));
        }
        res.writeHead(status, out);
        res.on('drain', resume);
        return true;
      },
      onData(chunk) {
        return res.write(chunk);
      },
      onComplete() {
        res.end();
      },
      onError() {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end();
      },
    },
  );
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[3] ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => process.exit(0));
