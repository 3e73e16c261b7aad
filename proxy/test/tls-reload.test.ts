/**
 * Certificate rotation on the sidecar: the cert/key files are replaced while a keep-alive connection is open; a
 * new connection sees the new certificate (fingerprint), the open one keeps working, and a bad new certificate is
 * refused with a log line while the previous one keeps serving.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSidecar, type TestSidecar } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-tls-reload-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');

/** A fresh self-signed P-256 certificate for localhost; returns its PEM files' contents. */
function makeCert(cn: string): { cert: string; key: string } {
  const c = join(dir, `${cn}.crt`);
  const k = join(dir, `${cn}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', k, '-out', c, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}
/** Replaces a file atomically (as a Secret volume update does). */
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;

/** The fingerprint a new TLS connection is shown. */
function newConnectionFingerprint(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, servername: 'localhost' }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.end();
    });
    s.on('error', reject);
  });
}

async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

let backend: Server;
let sidecar: TestSidecar;
const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
const first = makeCert('first');
const second = makeCert('second');

beforeAll(async () => {
  backend = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  writeFileSync(certFile, first.cert);
  writeFileSync(keyFile, first.key);
  sidecar = await startTestSidecar(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`, undefined, ['--tls-cert', certFile, '--tls-key', keyFile, '--tls-reload-interval-ms', '1000']);
});
afterAll(async () => {
  agent.destroy();
  await sidecar?.close();
  backend?.close();
});

/** GET /healthz over the keep-alive agent: status, the socket used and the certificate it shows. */
function get(): Promise<{ status: number; socket: TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${sidecar.url}/healthz`, { agent }, (res) => {
      const socket = res.socket as TLSSocket;
      const fp = socket.getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, socket, fingerprint: fp }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS certificate reload on the sidecar', () => {
  it('serves a rotated certificate to new connections while an open keep-alive connection keeps working', async () => {
    const before = await get();
    expect(before.status).toBe(200);
    expect(before.fingerprint).toBe(fingerprint(first.cert));

    replace(keyFile, second.key);
    replace(certFile, second.cert);
    await until(() => sidecar.logs().some((l) => l.msg === 'TLS certificate reloaded; new connections use it'));
    const line = sidecar.logs().find((l) => l.msg === 'TLS certificate reloaded; new connections use it')!;
    expect(line.fingerprint256).toBe(fingerprint(second.cert));
    expect(JSON.stringify(line)).not.toContain('PRIVATE KEY');

    expect(await newConnectionFingerprint(sidecar.url)).toBe(fingerprint(second.cert));
    const after = await get();
    expect(after.status).toBe(200);
    expect(after.socket).toBe(before.socket); // the same connection, not dropped
    expect(after.fingerprint).toBe(fingerprint(first.cert));
  });

  it('refuses a bad certificate with a log line and keeps serving the previous one', async () => {
    replace(certFile, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    await until(() => sidecar.logs().some((l) => l.msg === 'TLS certificate not reloaded; the previous one keeps serving'));
    expect(await newConnectionFingerprint(sidecar.url)).toBe(fingerprint(second.cert));
    // a certificate that does not fit the key is refused too
    replace(certFile, first.cert);
    await until(() => sidecar.logs().filter((l) => l.msg === 'TLS certificate not reloaded; the previous one keeps serving').length >= 2);
    expect(String(sidecar.logs().filter((l) => l.msg === 'TLS certificate not reloaded; the previous one keeps serving')[1]!.err)).toContain('key does not fit');
    expect(await newConnectionFingerprint(sidecar.url)).toBe(fingerprint(second.cert));
    expect((await get()).status).toBe(200);
  });
});
