/**
 * The admin API over HTTPS: TLS 1.3 only, HSTS on its answers, and certificate rotation — a new connection sees
 * the new certificate, an open keep-alive connection keeps working, a bad certificate is refused with a log line.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-admin-tls-'));
const certFile = join(dir, 'tls.crt');
const keyFile = join(dir, 'tls.key');
let logText = '';
const sink = new Writable({
  write(c: Buffer, _e, cb) {
    logText += c.toString('utf8');
    cb();
  },
});
const logs = (): Record<string, unknown>[] =>
  logText
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function makeCert(cn: string): { cert: string; key: string } {
  const c = join(dir, `${cn}.crt`);
  const k = join(dir, `${cn}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', k, '-out', c, '-days', '2', '-subj', `/CN=${cn}`], { stdio: 'ignore' });
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}
function replace(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
const fingerprint = (pem: string): string => new X509Certificate(pem).fingerprint256;
async function until(fn: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
function tlsConnect(url: string, maxVersion?: 'TLSv1.2'): Promise<{ fingerprint: string; protocol: string | null }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false, ...(maxVersion ? { maxVersion } : {}) }, () => {
      resolve({ fingerprint: s.getPeerCertificate().fingerprint256, protocol: s.getProtocol() });
      s.end();
    });
    s.on('error', reject);
  });
}

const first = makeCert('admin-first');
const second = makeCert('admin-second');
const agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
let admin: AdminHandle;

beforeAll(async () => {
  writeFileSync(certFile, first.cert);
  writeFileSync(keyFile, first.key);
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'a.db')}`, '--tls-cert', certFile, '--tls-key', keyFile, '--tls-reload-interval-ms', '1000'], {});
  if (!c.ok) throw new Error(c.help ? 'help' : c.errors.join('; '));
  admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: 'a long enough password' }, logDestination: sink });
});
afterAll(async () => {
  agent.destroy();
  await admin?.close();
});

function get(path: string): Promise<{ status: number; headers: Record<string, unknown>; socket: TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${admin.url}${path}`, { agent }, (res) => {
      const socket = res.socket as TLSSocket;
      const fp = socket.getPeerCertificate().fingerprint256;
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, socket, fingerprint: fp }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin API over HTTPS', () => {
  it('serves TLS 1.3 with HSTS, and refuses a TLS 1.2-only client', async () => {
    expect(admin.url.startsWith('https://')).toBe(true);
    const r = await get('/api/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect((await tlsConnect(admin.url)).protocol).toBe('TLSv1.3');
    await expect(tlsConnect(admin.url, 'TLSv1.2')).rejects.toThrow();
  });

  it('reloads a rotated certificate for new connections; the open keep-alive connection keeps working', async () => {
    const before = await get('/api/v1/openapi.json');
    expect(before.fingerprint).toBe(fingerprint(first.cert));
    replace(keyFile, second.key);
    replace(certFile, second.cert);
    await until(() => logs().some((l) => l.msg === 'TLS certificate reloaded; new connections use it'));
    expect((await tlsConnect(admin.url)).fingerprint).toBe(fingerprint(second.cert));
    const after = await get('/api/v1/openapi.json');
    expect(after.status).toBe(200);
    expect(after.socket).toBe(before.socket);
    expect(after.fingerprint).toBe(fingerprint(first.cert));
  });

  it('refuses a bad certificate with a log line and keeps the previous one', async () => {
    replace(certFile, 'garbage');
    await until(() => logs().some((l) => l.msg === 'TLS certificate not reloaded; the previous one keeps serving'));
    expect((await tlsConnect(admin.url)).fingerprint).toBe(fingerprint(second.cert));
    expect(logText).not.toContain('PRIVATE KEY');
  });

  it('refuses --tls-cert without --tls-key', () => {
    const c = loadConfig(['--tls-cert', certFile], {});
    expect(c.ok).toBe(false);
    if (!c.ok && !c.help) expect(c.errors.join(' ')).toContain('--tls-key');
  });
});
