import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import { PolicyBundle } from '@agentcore/policies';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, publicJwks, signBundle, type SigningKey } from '@agentcore/policies';
import { bundleCachePath, createBundleSync, type BundleSync, type BundleSyncOptions } from './bundle-sync.js';
import type { ControlPlaneFetch } from './control-plane-fetch.js';

const SERVICE = 'orders';
const TOKEN = 'sidecar-secret';

function bundleAt(revision: number): PolicyBundle {
  return PolicyBundle.parse({ version: 1, service: SERVICE, revision, routes: [{ id: `r${revision}`, match: { path: `/v${revision}` } }] });
}

interface Seen {
  at: number;
  status: number;
  ifNoneMatch: string | undefined;
  instance: string | undefined;
  wait: string | null;
}

/** A control plane that implements the sidecar bundle endpoint: long-poll, ETag, 304, 401; can go down and come back. */
class FakeControlPlane {
  server: Server | undefined;
  port = 0;
  current: { jws: string; etag: string } | undefined;
  seen: Seen[] = [];
  /** accept connections but never answer */
  hang = false;
  private waiters = new Set<() => void>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Goes down: closes the listener and every connection (waiting long-polls see a reset). */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const w of this.waiters) w();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  async openConnections(): Promise<number> {
    return new Promise((r) => (this.server ? this.server.getConnections((_e, n) => r(n)) : r(0)));
  }

  /** Publishes a signed bundle under an etag and wakes the waiting long-polls. */
  publish(jws: string, etag: string): void {
    this.current = { jws, etag };
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const w of waiting) w();
  }

  async publishBundle(bundle: PolicyBundle, key: SigningKey): Promise<string> {
    const jws = await signBundle(bundle, key);
    const payload = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as { hash: string };
    this.publish(jws, payload.hash);
    return jws;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const record = (status: number): void => {
      this.seen.push({
        at: Date.now(),
        status,
        ifNoneMatch: req.headers['if-none-match'],
        instance: req.headers['x-sidecar-instance'] as string | undefined,
        wait: url.searchParams.get('wait'),
      });
    };
    if (this.hang) return;
    if (req.method !== 'GET' || url.pathname !== `/api/v1/sidecar/bundles/${SERVICE}`) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      record(401);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAUTHENTICATED"}}');
      return;
    }
    const answer = (): boolean => {
      const cur = this.current;
      if (cur && req.headers['if-none-match'] !== `"${cur.etag}"`) {
        record(200);
        res.writeHead(200, { 'content-type': 'application/jose', etag: `"${cur.etag}"` }).end(cur.jws);
        return true;
      }
      return false;
    };
    if (answer()) return;
    const wait = Number(url.searchParams.get('wait') ?? '0');
    const finish = (): void => {
      if (res.writableEnded || res.destroyed) return;
      if (answer()) return;
      record(this.current ? 304 : 404);
      res.writeHead(this.current ? 304 : 404).end();
    };
    if (wait <= 0) return finish();
    const timer = setTimeout(() => {
      this.waiters.delete(wake);
      finish();
    }, wait * 1000);
    const wake = (): void => {
      clearTimeout(timer);
      finish();
    };
    this.waiters.add(wake);
    req.socket.once('close', () => {
      clearTimeout(timer);
      this.waiters.delete(wake);
    });
  }
}

let key: SigningKey;
let keys: BundleSyncOptions['keys'];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  key = await generateSigningKey('ES256');
  keys = createLocalJWKSet(publicJwks([key]));
});

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function controlPlane(): Promise<FakeControlPlane> {
  const cp = await new FakeControlPlane().listen();
  cleanups.push(() => cp.close());
  return cp;
}

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-sync-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A sync whose onBundle/onRejected calls are recorded; stopped after the test. */
function sync(o: Partial<BundleSyncOptions> & { controlPlane: string; cacheDir: string }) {
  const applied: { revision: number; source: string; at: number }[] = [];
  const rejected: { revision: number | undefined; reason: string }[] = [];
  const s: BundleSync = createBundleSync({
    service: SERVICE,
    token: TOKEN,
    keys,
    instanceId: 'sidecar-1',
    backoff: { baseMs: 20, maxMs: 100 },
    startTimeoutMs: 500,
    onBundle: async (b, source) => {
      applied.push({ revision: b.revision, source, at: Date.now() });
      return { applied: true };
    },
    onRejected: (revision, reason) => rejected.push({ revision, reason }),
    ...o,
  });
  cleanups.push(() => s.stop());
  return { s, applied, rejected };
}

async function freePort(): Promise<number> {
  const cp = await new FakeControlPlane().listen();
  const port = cp.port;
  await cp.close();
  return port;
}

describe('bundle sync against a control plane', () => {
  it('applies the first bundle, caches it, and applies a newly published revision within 1 s', async () => {
    const cp = await controlPlane();
    const dir = await cacheDir();
    const jws1 = await cp.publishBundle(bundleAt(1), key);
    const { s, applied } = sync({ controlPlane: cp.url, cacheDir: dir });

    expect(await s.start()).toBe('control-plane');
    expect(s.appliedRevision).toBe(1);
    expect(s.connected).toBe(true);
    expect(applied).toEqual([{ revision: 1, source: 'control-plane', at: expect.any(Number) }]);
    expect(await readFile(bundleCachePath(dir, SERVICE), 'utf8')).toBe(jws1);
    expect(await readdir(dir)).toEqual([`${SERVICE}.bundle.jws`]); // no temp file left behind

    // the background long-poll is waiting with the applied hash as ETag
    await expect.poll(() => cp.seen.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    const published = Date.now();
    const jws2 = await cp.publishBundle(bundleAt(2), key);
    await expect.poll(() => s.appliedRevision, { timeout: 1000, interval: 5 }).toBe(2);
    expect(applied[1]!.at - published).toBeLessThan(1000);
    expect(applied[1]!.source).toBe('control-plane');
    await expect.poll(() => readFile(bundleCachePath(dir, SERVICE), 'utf8')).toBe(jws2);

    const first = cp.seen[0]!;
    expect(first).toMatchObject({ status: 200, ifNoneMatch: undefined, instance: 'sidecar-1', wait: '0' });
    expect(cp.seen[1]).toMatchObject({ status: 200, wait: '30', ifNoneMatch: expect.stringMatching(/^"sha256:[0-9a-f]{64}"$/) });
  });

  it('rejects a tampered bundle, keeps the old one, reports it and does not re-request in a loop', async () => {
    const cp = await controlPlane();
    const jws1 = await cp.publishBundle(bundleAt(1), key);
    const { s, applied, rejected } = sync({ controlPlane: cp.url, cacheDir: await cacheDir() });
    await s.start();

    const genuine = await signBundle(bundleAt(2), key);
    const [h, , sig] = genuine.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(jws1.split('.')[1]!, 'base64url').toString()), revision: 9 })).toString('base64url');
    cp.publish(`${h}.${forged}.${sig}`, 'tampered-etag');

    await expect.poll(() => rejected.length).toBe(1);
    expect(rejected[0]).toEqual({ revision: 9, reason: expect.stringMatching(/^BAD_SIGNATURE/) });
    expect(s.lastRejection).toEqual(rejected[0]);
    expect(applied.map((a) => a.revision)).toEqual([1]);
    expect(s.appliedRevision).toBe(1);

    // the next poll names the rejected one, so the server waits instead of resending it
    const before = cp.seen.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(cp.seen.length - before).toBeLessThanOrEqual(1);
    expect(rejected).toHaveLength(1);

    // a newer genuine bundle is still applied
    await cp.publishBundle(bundleAt(3), key);
    await expect.poll(() => s.appliedRevision).toBe(3);
  });

  it('keeps the old bundle when onBundle refuses the new one', async () => {
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    let refuse = false;
    const { s, rejected } = sync({
      controlPlane: cp.url,
      cacheDir: await cacheDir(),
      onBundle: async () => (refuse ? { applied: false, reason: 'upstream pool failed to build' } : { applied: true }),
    });
    await s.start();
    refuse = true;
    await cp.publishBundle(bundleAt(2), key);
    await expect.poll(() => rejected).toEqual([{ revision: 2, reason: 'upstream pool failed to build' }]);
    expect(s.appliedRevision).toBe(1);
  });

  it('refuses a lower revision than the applied one (rollback is a new revision)', async () => {
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(5), key);
    const { s, rejected } = sync({ controlPlane: cp.url, cacheDir: await cacheDir() });
    await s.start();
    await cp.publishBundle(bundleAt(4), key);
    await expect.poll(() => rejected[0]?.reason ?? '').toMatch(/^REVISION_ROLLBACK/);
    expect(s.appliedRevision).toBe(5);
  });
});

describe('bundle sync when the control plane is unavailable', () => {
  it('starts from the verified cache when the control plane is down, and syncs once it is back', async () => {
    const dir = await cacheDir();
    const first = await controlPlane();
    await first.publishBundle(bundleAt(3), key);
    const one = sync({ controlPlane: first.url, cacheDir: dir });
    await one.s.start();
    await one.s.stop();
    const port = first.port;
    await first.close();

    const { s, applied } = sync({ controlPlane: `http://127.0.0.1:${port}`, cacheDir: dir });
    expect(await s.start()).toBe('cache');
    expect(s.appliedRevision).toBe(3);
    expect(s.connected).toBe(false);
    expect(applied).toEqual([{ revision: 3, source: 'cache', at: expect.any(Number) }]);

    const back = await new FakeControlPlane().listen(port);
    cleanups.push(() => back.close());
    await back.publishBundle(bundleAt(4), key);
    await expect.poll(() => s.appliedRevision, { timeout: 2000 }).toBe(4);
    expect(s.connected).toBe(true);
  });

  it('starts from the cache when the control plane does not answer within startTimeoutMs', async () => {
    const dir = await cacheDir();
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    const one = sync({ controlPlane: cp.url, cacheDir: dir });
    await one.s.start();
    await one.s.stop();

    cp.hang = true;
    const { s } = sync({ controlPlane: cp.url, cacheDir: dir, startTimeoutMs: 200 });
    const began = Date.now();
    expect(await s.start()).toBe('cache');
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it('refuses a tampered cache file', async () => {
    const dir = await cacheDir();
    const jws = await signBundle(bundleAt(1), key);
    const [h, p] = jws.split('.');
    await writeFile(bundleCachePath(dir, SERVICE), `${h}.${p}.AAAA`);
    const { s, applied } = sync({ controlPlane: `http://127.0.0.1:${await freePort()}`, cacheDir: dir });
    await expect(s.start()).rejects.toThrow(/BAD_SIGNATURE/);
    expect(applied).toEqual([]);
  });

  it('fails start with a clear error when the control plane is down and there is no cache', async () => {
    const port = await freePort();
    const dir = await cacheDir();
    const { s } = sync({ controlPlane: `http://127.0.0.1:${port}`, cacheDir: dir });
    const err = await s.start().then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(err?.code).toBe('PROXY_SYNC_NO_BUNDLE');
    expect(err?.message).toContain(`no policy bundle for service "${SERVICE}"`);
    expect(err?.message).toContain(`127.0.0.1:${port}`);
    expect(err?.message).toContain('no cached bundle');
  });

  it('keeps enforcing while the control plane is down and reconnects with bounded jittered back-off', async () => {
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    const calls: number[] = [];
    const counting: ControlPlaneFetch = (url, init) => {
      calls.push(Date.now());
      return fetch(url, init);
    };
    const { s } = sync({ controlPlane: cp.url, cacheDir: await cacheDir(), fetch: counting });
    await s.start();
    await expect.poll(() => cp.seen.length).toBe(1); // long-poll waiting

    const port = cp.port;
    const downAt = Date.now();
    await cp.close();
    await new Promise((r) => setTimeout(r, 700));
    expect(s.connected).toBe(false);
    expect(s.appliedRevision).toBe(1);

    const attempts = calls.filter((t) => t >= downAt);
    // base 20 ms, max 100 ms: a retry at least every ~100 ms, never a tight loop
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    expect(attempts.length).toBeLessThan(100);
    for (let i = 1; i < attempts.length; i++) expect(attempts[i]! - attempts[i - 1]!).toBeLessThan(100 + 60);

    const back = await new FakeControlPlane().listen(port);
    cleanups.push(() => back.close());
    await back.publishBundle(bundleAt(2), key);
    await expect.poll(() => s.appliedRevision, { timeout: 1000 }).toBe(2);
    expect(s.connected).toBe(true);
  });

  it('treats 401 as a credential problem: clear error without cache, back-off with cache', async () => {
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    const dir = await cacheDir();

    const wrong = sync({ controlPlane: cp.url, cacheDir: dir, token: 'wrong' });
    await expect(wrong.s.start()).rejects.toThrow(/refused the sidecar credential \(HTTP 401\)/);

    const good = sync({ controlPlane: cp.url, cacheDir: dir });
    await good.s.start();
    await good.s.stop();

    cp.seen = [];
    const { s } = sync({ controlPlane: cp.url, cacheDir: dir, token: 'wrong' });
    expect(await s.start()).toBe('cache');
    await new Promise((r) => setTimeout(r, 400));
    expect(s.connected).toBe(false);
    const refusals = cp.seen.filter((x) => x.status === 401);
    expect(refusals.length).toBe(cp.seen.length);
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals.length).toBeLessThan(60);
  });
});

describe('stop()', () => {
  it('ends the long-poll at once and leaves no timers or sockets', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    const before = timers();
    const { s } = sync({ controlPlane: cp.url, cacheDir: await cacheDir() });
    await s.start();
    await expect.poll(() => cp.seen.length).toBe(1); // a 30 s long-poll is pending
    expect(await cp.openConnections()).toBeGreaterThan(0);

    const began = Date.now();
    await s.stop();
    expect(Date.now() - began).toBeLessThan(200);
    expect(s.connected).toBe(false);
    await expect.poll(() => cp.openConnections()).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
    await s.stop(); // idempotent
  });

  it('stops during back-off without waiting for the delay', async () => {
    const cp = await controlPlane();
    await cp.publishBundle(bundleAt(1), key);
    const { s } = sync({ controlPlane: cp.url, cacheDir: await cacheDir(), backoff: { baseMs: 10_000, maxMs: 10_000 }, random: () => 0.99 });
    await s.start();
    await cp.close();
    await new Promise((r) => setTimeout(r, 100));
    const began = Date.now();
    await s.stop();
    expect(Date.now() - began).toBeLessThan(200);
  });

  it('checks its options when built', () => {
    const base = { controlPlane: 'http://127.0.0.1:1', cacheDir: '/tmp/x' };
    expect(() => sync({ ...base, controlPlane: 'not a url' })).toThrow(/controlPlane must be an http\(s\) URL/);
    expect(() => sync({ ...base, service: 'Not_A_Label' })).toThrow(/service must be a DNS label/);
    expect(() => sync({ ...base, token: '' })).toThrow(/token/);
    expect(() => sync({ ...base, waitSeconds: 1.5 })).toThrow(/waitSeconds/);
    expect(() => sync({ ...base, backoff: { baseMs: 100, maxMs: 10 } })).toThrow(/maxMs/);
  });
});
