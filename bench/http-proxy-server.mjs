// Reference proxy for the benchmark: http-proxy 1.18 with a keep-alive agent, nothing else.
// usage: node bench/http-proxy-server.mjs <upstream-url>; prints {"port":N} on stdout once listening.
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: node bench/http-proxy-server.mjs <upstream-url>\n');
  process.exit(2);
}
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const proxy = httpProxy.createProxyServer({ target, agent });
proxy.on('error', (_err, _req, res) => {
  if ('writeHead' in res && !res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
  res.end();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
