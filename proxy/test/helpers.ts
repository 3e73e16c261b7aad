/** Test helpers: a sidecar started in-process on free ports with its log lines captured, and raw HTTP. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { PolicyBundleInput } from '@agentcore/policies';
import { loadConfig, startProxy, type ProxyHandle } from '../src/index.js';

export const repoRoot = new URL('../../', import.meta.url);
export const demoBundlePath = new URL('policies/examples/demo.bundle.json', repoRoot).pathname;
export const demoCredentials = JSON.parse(readFileSync(new URL('policies/examples/DEMO-ONLY-credentials.json', repoRoot), 'utf8')) as {
  apiKeys: { viewer: string; operator: string };
  jwt: { issuer: string; audience: string; kid: string };
};
export const demoPrivateJwk = JSON.parse(readFileSync(new URL('policies/examples/DEMO-ONLY-jwt-private-key.jwk.json', repoRoot), 'utf8')) as Record<string, string>;

export function demoBundle(): PolicyBundleInput {
  return JSON.parse(readFileSync(demoBundlePath, 'utf8')) as PolicyBundleInput;
}

export interface TestSidecar extends ProxyHandle {
  bundlePath: string;
  /** parsed JSON log lines so far */
  logs(): Record<string, unknown>[];
  /** raw log text so far */
  logText(): string;
  accessLines(): Record<string, unknown>[];
}

/** Starts a sidecar on free ports in front of `upstream`; `bundle` is written to a temp file. */
export async function startTestSidecar(upstream: string, bundle: PolicyBundleInput = demoBundle(), extraArgs: string[] = [], env: Record<string, string> = {}): Promise<TestSidecar> {
  const dir = mkdtempSync(join(tmpdir(), 'agentcore-proxy-test-'));
  const bundlePath = join(dir, 'bundle.json');
  writeFileSync(bundlePath, JSON.stringify(bundle));
  const r = loadConfig(['--bundle', bundlePath, '--upstream', upstream, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', ...extraArgs], env);
  if (!r.ok) throw new Error(r.help ? 'help' : r.errors.join('; '));
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString('utf8');
      cb();
    },
  });
  const handle = await startProxy(r.config, { logDestination: sink, defaultMetrics: false, env });
  const logs = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return Object.assign(Object.create(handle) as ProxyHandle, handle, {
    bundlePath,
    logs,
    logText: () => text,
    accessLines: () => logs().filter((l) => l.msg === 'access'),
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** Sends bytes as they are (for requests a normal client refuses to send) and reads until close. */
export function rawRequest(url: string, text: string, timeoutMs = 5000): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => socket.write(text));
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms; got: ${data.slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (c) => {
      data += c.toString('latin1');
      const parsed = parseRaw(data);
      if (parsed) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const parsed = parseRaw(data, true);
      if (parsed) resolve(parsed);
      else reject(new Error(`connection closed; got: ${data.slice(0, 200)}`));
    });
  });
}

function parseRaw(data: string, closed = false): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = data.slice(end + 4);
  const len = headers['content-length'];
  if (len !== undefined && Buffer.byteLength(body, 'latin1') < Number(len)) return undefined;
  if (len === undefined && !closed) return undefined;
  return { status: Number(statusLine!.split(' ')[1]), headers, body, raw: data };
}
