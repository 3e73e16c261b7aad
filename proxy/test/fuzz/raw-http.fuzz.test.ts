/**
 * Property tests over raw HTTP/1.1 request bytes sent on a TCP socket to a running sidecar (issue #9, fuzzing):
 * generated header sets (duplicates, odd whitespace, obs-fold, CR/LF/NUL, underscores, huge values), framings
 * (Content-Length, Transfer-Encoding, both, chunk extensions, bad chunk sizes) and request targets (absolute-form,
 * asterisk, encoded dots, `..;`). Invariants, checked on every generated request:
 *   1. never a 5xx caused by the client (the backend is healthy: only 501 and 505 are the client's doing);
 *   2. never a request reaching the backend that the policy denies (`/private` needs a credential; none is sent);
 *   3. what the backend receives is well framed: its parser accepts it, at most one Content-Length, never both
 *      Content-Length and Transfer-Encoding, and no client-supplied identity header.
 * Bounded for CI (~25 s). A longer run:  FUZZ_RUNS=20000 FUZZ_SECONDS=1800 npx vitest run proxy/test/fuzz
 * (a failure prints the seed and the shrunk request; replay with FUZZ_SEED=<seed>).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { posix } from 'node:path';
import fc from 'fast-check';
import type { PolicyBundleInput } from '@agentcore/policies';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from '../helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 25);
/**
 * Header names with underscores (`X_Auth_Subject`) still reach the backend on this branch: that is issue #9
 * finding 4, fixed separately; set this to true once that fix is merged so the fuzz asserts it too.
 */
const UNDERSCORE_NAMES_DROPPED = true;
/**
 * A request with an odd or second `Host` the sidecar cannot forward is answered 502 on this branch (issue #9
 * findings 1 and 5, fixed separately): tolerated (and counted) until that fix is merged; then set to true.
 */
const HOST_VALIDATED = true;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

interface Seen {
  path: string;
  rawHeaders: string[];
}
const seen: Seen[] = [];
const framingErrors: string[] = [];
let backend: Server;
let sidecar: TestSidecar;

beforeAll(async () => {
  backend = createServer((req: IncomingMessage, res) => {
    seen.push({ path: req.url ?? '', rawHeaders: req.rawHeaders });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  backend.on('clientError', (err: Error & { code?: string }, socket) => {
    framingErrors.push(err.code ?? err.message);
    socket.destroy();
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  const bundle = {
    version: 1,
    service: 'fuzz',
    revision: 1,
    routes: [
      { id: 'public', match: { path: '/public', kind: 'prefix' }, auth: { required: false } },
      { id: 'private', match: { path: '/private', kind: 'prefix' }, permissions: ['secret:read'] },
    ],
    roles: [{ name: 'reader', permissions: ['secret:read'] }],
    authentication: { apiKeys: [{ id: 'k', sha256: 'a'.repeat(64), principal: 'p', roles: ['reader'] }] },
  } as unknown as PolicyBundleInput;
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, bundle);
});
afterAll(async () => {
  await sidecar?.close();
  backend?.closeAllConnections();
  await new Promise<void>((r) => backend.close(() => r()));
});

/** Sends bytes, half-closes, and returns the status of the first response (0 when the connection closed without one). */
function send(bytes: Buffer): Promise<number> {
  const port = Number(new URL(sidecar.url).port);
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.end(bytes));
    let data = '';
    const done = (status: number): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(status);
    };
    const timer = setTimeout(() => done(-1), 3000);
    s.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m && data.includes('\r\n\r\n')) done(Number(m[1]));
    });
    s.on('error', () => done(0));
    s.on('close', () => done(0));
  });
}

/** Whether a path the backend received would, decoded and resolved any way a backend might, be under /private. */
function reachesPrivate(path: string): boolean {
  let p = path.split('?')[0]!.split('#')[0]!;
  for (let i = 0; i < 3; i++) {
    try {
      p = decodeURIComponent(p);
    } catch {
      break;
    }
  }
  p = p.replace(/\\/g, '/').replace(/;[^/]*/g, '').replace(/\0/g, '');
  return posix.normalize(`/${p}`).toLowerCase().startsWith('/private');
}

const odd = fc.constantFrom('', ' ', '\t', '  x', 'x ', '\r', '\n', '\0', '\r\n ', 'a\r\n folded', 'é', '\u00ff', 'x'.repeat(9000), 'y'.repeat(70_000));
const headerName = fc.constantFrom('Host', 'X-Forwarded-For', 'X-Forwarded-Host', 'X-Auth-Subject', 'X_Auth_Subject', 'X-Auth_Roles', 'X-Api-Key', 'Authorization', 'Connection', 'Expect', 'Upgrade', 'Cookie', 'X-Http-Method-Override', 'Te', 'Trailer', 'Content-Type', 'Accept', 'x');
const header = fc.tuple(headerName, fc.oneof({ arbitrary: odd, weight: 1 }, { weight: 4, arbitrary: fc.constantFrom('localhost', 'evil.example', 'a@b', '127.0.0.1:1', '[::1', 'keep-alive, x-auth-subject', 'close', 'Bearer x.y.z', '100-continue', 'websocket', 'trailers') }), fc.constantFrom(': ', ': ', ': ', ':', ' :', ':\t'));
const segment = fc.constantFrom('/public', '/private', '/', '//', '/..', '/%2e%2e', '/%2E%2e/', '/..;', ';/..', '/./', '/%2fprivate', '\\..\\', '/%00', '/%252e%252e', '/PRIVATE', '/pub%6cic', '/.%2e', '?a=1', '?a=../private', '#x', '/x');
const target = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('/public', '/public/a', '/public/a?b=c', '/private', '/private/a', '/') },
  fc.array(segment, { minLength: 1, maxLength: 5 }).map((a) => a.join('')),
  fc.constantFrom('*', 'http://localhost/private', 'http://evil.example/public', 'https://localhost/public/../private', '/public/..%2fprivate', 'private', '/public/../private', '/public/%2e%2e/private', '/public/..;/private'),
);
const method = fc.oneof({ weight: 5, arbitrary: fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'DELETE') }, fc.constantFrom('OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'get', 'G\tET', 'PRI'));
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 ', 'http/1.1');
const body = fc.constantFrom('', 'hello', 'x'.repeat(5000));
const framing = fc.constantFrom('none', 'none', 'none', 'cl', 'cl', 'te', 'te', 'none', 'cl', 'cl-short', 'cl-long', 'cl-twice', 'cl-twice-differ', 'cl-sign', 'te', 'te-ext', 'te-bad-size', 'te-hex-overflow', 'te-identity', 'te-gzip', 'both', 'te-twice', 'te-space-name', 'te-lf-only');

function frame(kind: string, b: string): { headers: string; body: string } {
  const chunked = (b === '' ? '' : `${b.length.toString(16)}\r\n${b}\r\n`) + '0\r\n\r\n';
  switch (kind) {
    case 'none': return { headers: '', body: '' };
    case 'cl': return { headers: `Content-Length: ${b.length}\r\n`, body: b };
    case 'cl-short': return { headers: `Content-Length: ${b.length + 10}\r\n`, body: b };
    case 'cl-long': return { headers: `Content-Length: ${Math.max(0, b.length - 2)}\r\n`, body: b };
    case 'cl-twice': return { headers: `Content-Length: ${b.length}\r\nContent-Length: ${b.length}\r\n`, body: b };
    case 'cl-twice-differ': return { headers: `Content-Length: ${b.length}\r\nContent-Length: ${b.length + 1}\r\n`, body: b };
    case 'cl-sign': return { headers: `Content-Length: +${b.length}\r\n`, body: b };
    case 'te': return { headers: 'Transfer-Encoding: chunked\r\n', body: chunked };
    case 'te-ext': return { headers: 'Transfer-Encoding: chunked\r\n', body: (b === '' ? '' : `${b.length.toString(16)};name=val\r\n${b}\r\n`) + '0;x\r\n\r\n' };
    case 'te-bad-size': return { headers: 'Transfer-Encoding: chunked\r\n', body: `zz\r\n${b}\r\n0\r\n\r\n` };
    case 'te-hex-overflow': return { headers: 'Transfer-Encoding: chunked\r\n', body: `fffffffffffffffff1\r\n${b}\r\n0\r\n\r\n` };
    case 'te-identity': return { headers: 'Transfer-Encoding: identity, chunked\r\n', body: chunked };
    case 'te-gzip': return { headers: 'Transfer-Encoding: chunked, gzip\r\n', body: chunked };
    case 'both': return { headers: `Content-Length: ${b.length}\r\nTransfer-Encoding: chunked\r\n`, body: chunked };
    case 'te-twice': return { headers: 'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', body: chunked };
    case 'te-space-name': return { headers: 'Transfer-Encoding : chunked\r\n', body: chunked };
    default: return { headers: 'Transfer-Encoding: chunked\n', body: chunked.replace(/\r\n/g, '\n') };
  }
}

const request = fc.record({ method, target, version, headers: fc.array(header, { maxLength: 3 }), withHost: fc.boolean(), framing, body });
type Req = typeof request extends fc.Arbitrary<infer T> ? T : never;

function bytesOf(r: Req): Buffer {
  const f = frame(r.framing, r.body);
  const head = `${r.method} ${r.target} ${r.version}\r\n${r.withHost ? 'Host: localhost\r\n' : ''}${r.headers.map(([n, v, sep]) => `${n}${sep}${v}\r\n`).join('')}${f.headers}\r\n`;
  return Buffer.from(head + f.body, 'latin1');
}

describe('raw HTTP/1.1 through the sidecar (property tests)', () => {
  it('never a client-caused 5xx, never a denied request at the backend, never a badly framed request forwarded', { timeout: (SECONDS + 60) * 1000 }, async () => {
    let sent = 0;
    let tolerated = 0;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const before = seen.length;
        const errorsBefore = framingErrors.length;
        const status = await send(bytesOf(r));
        sent++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        await new Promise((res) => setImmediate(res));
        const arrived = seen.slice(before);
        // 1. no 5xx the client caused (the backend answers 200 to all it gets)
        const pendingHostFix = !HOST_VALIDATED && status === 502 && r.headers.some(([n]) => n === 'Host' || n === 'X-Forwarded-Host');
        if (pendingHostFix) tolerated++;
        else expect(status >= 500 && status !== 501 && status !== 505, `status ${status}`).toBe(false);
        // 2. nothing under /private reached the backend (no credential is ever valid here)
        for (const a of arrived) expect(reachesPrivate(a.path), `backend got ${a.path}`).toBe(false);
        // 3. well framed at the backend, and no identity header from the client
        // A client that declares more body than it sends and hangs up leaves the backend an EOF mid-message
        // (bodies are streamed; the sidecar aborts the upstream request), and a reset is the sidecar dropping an
        // upstream request whose client went away: neither is a framing. Every other parser error is. (Errors
        // are reported asynchronously, so they are matched to the run they show up in, not to one request.)
        const parseErrors = framingErrors.slice(errorsBefore).filter((e) => e.startsWith('HPE_') && e !== 'HPE_INVALID_EOF_STATE');
        expect(parseErrors).toEqual([]);
        for (const a of arrived) {
          const names = a.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
          const cl = names.filter((n) => n === 'content-length').length;
          const te = names.filter((n) => n === 'transfer-encoding').length;
          expect(cl <= 1 && te <= 1 && !(cl === 1 && te === 1), `framing ${names.join(',')}`).toBe(true);
          expect(names.filter((n) => n.startsWith('x-auth-') || (UNDERSCORE_NAMES_DROPPED && /^x[-_]auth[-_]/.test(n))), 'identity headers from the client').toEqual([]);
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: SECONDS * 1000, seed: SEED, endOnFailure: true },
    );
    console.log(`fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${seen.length} reached the backend, ${tolerated} 502s tolerated (HOST_VALIDATED=false)`);
    expect(sent).toBeGreaterThan(50);
  });
});
