// Events from the control plane: a route with `events` created through the admin API is compiled into the bundle,
// reaches a synced sidecar (built dist only), and serves: an SSE subscriber with an API key receives what a backend
// publishes on the sidecar's admin port; a topic the key's role may not read is refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig as loadAdminConfig, startAdmin, type AdminHandle } from '@agentcore/admin-api';
import { loadConfig as loadProxyConfig, startProxy, type ProxyHandle } from '@agentcore/proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBackend, type DemoBackend } from '../src/demo-backend.js';
import { adminClient, loginForToken, seedService, type SeedResult } from '../src/seed-demo.js';

const demo = JSON.parse(readFileSync(new URL('../../policies/examples/demo.bundle.json', import.meta.url), 'utf8')) as Parameters<typeof seedService>[2];
const dir = mkdtempSync(join(tmpdir(), 'agentcore-events-sync-'));
const PASSWORD = 'correct horse battery staple';
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

let admin: AdminHandle;
let backend: DemoBackend;
let sidecar: ProxyHandle;
let seeded: SeedResult;
let call: ReturnType<typeof adminClient>;

beforeAll(async () => {
  backend = await startDemoBackend({ port: 0, quiet: true });
  const a = loadAdminConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(dir, 'agentcore.db')}`, '--log-level', 'warn'], {});
  if (!a.ok) throw new Error('bad admin config');
  admin = await startAdmin(a.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
  const token = await loginForToken(admin.url, 'admin', PASSWORD);
  call = adminClient(admin.url, token);
  seeded = await seedService(admin.url, token, demo);
  const p = loadProxyConfig(
    [
      '--control-plane', admin.url,
      '--service', 'agents',
      '--token', seeded.sidecarToken,
      '--trust-jwks-url', `${admin.url}/api/v1/sidecar/jwks`,
      '--cache-dir', join(dir, 'cache'),
      '--upstream', backend.url,
      '--listen', '127.0.0.1:0',
      '--admin-listen', '127.0.0.1:0',
    ],
    {},
  );
  if (!p.ok) throw new Error(p.help ? 'help' : p.errors.join('; '));
  sidecar = await startProxy(p.config, { logDestination: quiet(), defaultMetrics: false });
});
afterAll(async () => {
  await sidecar?.close();
  await admin?.close();
  await backend?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Reads an SSE stream until `n` event frames arrived (or `ms` passed); returns their data. */
async function sseEvents(url: string, headers: Record<string, string>, n: number, ms: number, after: () => Promise<void>): Promise<{ status: number; events: Record<string, unknown>[] }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const events: Record<string, unknown>[] = [];
  if (res.status !== 200) {
    clearTimeout(timer);
    await res.text();
    return { status: res.status, events };
  }
  await after();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = frame.split('\n').find((l) => l.startsWith('data: '));
        if (data && !frame.includes('event: ')) events.push(JSON.parse(data.slice(6)) as Record<string, unknown>);
      }
      if (events.length >= n) break;
    }
  } catch {
    /* aborted after ms */
  }
  clearTimeout(timer);
  ac.abort();
  return { status: 200, events };
}

describe('an event route from the control plane', () => {
  it('is accepted by the route resource, compiled, synced and served by the sidecar', async () => {
    const route = {
      id: 'agent-events',
      match: { methods: ['GET'], path: '/api/v1/agent-events', kind: 'exact' },
      events: {
        topics: [{ pattern: 'agents/{id}', permission: 'agents:read' }],
        publish: { permission: 'agents:write', maxEventBytes: 4096 },
      },
    };
    const created = await call<Record<string, unknown>>('POST', '/api/v1/services/agents/routes', route);
    expect(created.status).toBe(201);
    // a bad topic rule is refused by the resource with the field named ("**" only as the last segment)
    await expect(call('POST', '/api/v1/services/agents/routes', { ...route, id: 'bad-events', events: { topics: [{ pattern: 'agents/**/x', permission: 'a:b' }] } })).rejects.toThrow(
      /400.*body\.events\.topics\.0\.pattern/,
    );
    const next = await call<{ revision: number; hash: string }>('POST', '/api/v1/services/agents/publish', {});
    const t0 = Date.now();
    while ((sidecar.bundleInfo() as { hash: string | null }).hash !== next.body.hash && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    expect((sidecar.bundleInfo() as { hash: string | null }).hash).toBe(next.body.hash);

    const viewer = { 'x-api-key': seeded.apiKeys.viewer!.secret };
    const operator = seeded.apiKeys.operator!.secret;
    const publish = async (key: string | undefined): Promise<Response> =>
      fetch(`${sidecar.adminUrl}/events/agent-events/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: JSON.stringify({ topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } }),
      });
    let accepted: Record<string, unknown> = {};
    const got = await sseEvents(`${sidecar.url}/api/v1/agent-events?topic=agents/a1`, viewer, 1, 5000, async () => {
      expect((await publish(undefined)).status).toBe(401);
      expect((await publish(seeded.apiKeys.viewer!.secret)).status).toBe(403); // viewer lacks agents:write
      const ok = await publish(operator);
      expect(ok.status).toBe(202);
      accepted = (await ok.json()) as Record<string, unknown>;
    });
    expect(got.status).toBe(200);
    expect(got.events).toEqual([expect.objectContaining({ id: accepted.id, topic: 'agents/a1', type: 'agent.status', data: { status: 'running' } })]);
    const refused = await sseEvents(`${sidecar.url}/api/v1/agent-events?topic=billing/x`, viewer, 1, 2000, async () => undefined);
    expect(refused.status).toBe(403);
  });
});
