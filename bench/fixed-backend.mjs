// The fixed-cost backend used when nginx is not installed: node:http answering every request
// with the same 99-byte body. Prints {"port":N} on stdout once listening.
import { createServer } from 'node:http';

const BODY = Buffer.from('x'.repeat(98) + '\n');
const HEADERS = { 'content-type': 'text/plain', 'content-length': String(BODY.length) };
const port = Number(process.argv[2] ?? 0);

const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
