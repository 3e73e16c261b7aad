/**
 * Issue #9, finding 8 and the "decide" list, through a running sidecar with raw bytes: transfer codings (501),
 * HTTP/1.1 without Host (400), CONNECT (405), `Expect` (417; `100-continue` answered only after authorisation).
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCredentials, rawRequest, startTestSidecar, type TestSidecar } from './helpers.js';

let backend: Server;
let sidecar: TestSidecar;
let hits = 0;

beforeAll(async () => {
  backend = createServer((req, res) => {
    hits++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ body })));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await sidecar.close();
  backend.close();
});

const errorCode = (body: string): string => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('framing refused in the error format', () => {
  it('Transfer-Encoding: identity, chunked → 501 NOT_IMPLEMENTED, nothing forwarded', async () => {
    const before = hits;
    const r = await rawRequest(sidecar.url, 'POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n');
    expect(r.status).toBe(501);
    expect(errorCode(r.body)).toBe('NOT_IMPLEMENTED');
    expect(hits).toBe(before);
  });

  it('HTTP/1.1 without Host → 400; HTTP/1.0 without Host is served', async () => {
    const r = await rawRequest(sidecar.url, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(400);
    expect(r.body).toContain('Host');
    const old = await rawRequest(sidecar.url, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(old.status).toBe(200);
  });

  it('CONNECT → 405 in the error format (not a silently closed socket)', async () => {
    const r = await rawRequest(sidecar.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(r.status).toBe(405);
    expect(errorCode(r.body)).toBe('METHOD_NOT_ALLOWED');
  });

  it('Expect other than 100-continue → 417 in the error format', async () => {
    const r = await rawRequest(sidecar.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(417);
    expect(errorCode(r.body)).toBe('EXPECTATION_FAILED');
  });
});

/** Sends headers, waits `waitMs`, reports what came back before any body was sent; then sends `body`. */
function expectContinue(head: string, body: string, waitMs = 600): Promise<{ early: string; all: string }> {
  const u = new URL(sidecar.url);
  return new Promise((resolve, reject) => {
    let data = '';
    let early = '';
    const s = connect(Number(u.port), u.hostname, () => s.write(head));
    s.on('data', (c: Buffer) => (data += c.toString('latin1')));
    s.on('error', reject);
    setTimeout(() => {
      early = data;
      if (s.writable) s.write(body);
      setTimeout(() => {
        s.destroy();
        resolve({ early, all: data });
      }, 600);
    }, waitMs);
  });
}

describe('Expect: 100-continue', () => {
  it('without credentials: 401 and never 100 Continue; the backend is not reached', async () => {
    const before = hits;
    const r = await expectContinue('POST /api/v1/debug/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n', '{}');
    expect(r.early).toMatch(/^HTTP\/1\.1 401/);
    expect(r.all).not.toContain('100 Continue');
    expect(hits).toBe(before);
  });

  it('with a credential lacking the permission: 403, never 100 Continue', async () => {
    const r = await expectContinue(`POST /api/v1/debug/echo HTTP/1.1\r\nHost: x\r\nX-API-Key: ${demoCredentials.apiKeys.viewer}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`, '{}');
    expect(r.early).toMatch(/^HTTP\/1\.1 403/);
    expect(r.all).not.toContain('100 Continue');
  });

  it('authorised: 100 Continue first, then the backend answer with the body', async () => {
    const r = await expectContinue(`POST /api/v1/debug/echo HTTP/1.1\r\nHost: x\r\nX-API-Key: ${demoCredentials.apiKeys.operator}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`, '{}');
    expect(r.early).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    expect(r.all).toMatch(/HTTP\/1\.1 200/);
  });
});
