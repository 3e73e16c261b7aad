/**
 * The admin API as an operable service: /healthz, /readyz, and Prometheus /metrics (names, labels, who may read it),
 * on the assembled control plane.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'agentcore-admin-ops-'));
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
const PASSWORD = 'a long enough password';
let admin: AdminHandle;
let cookie: string;
let csrf: string;

async function start(extra: string[] = [], db = join(dir, 'ops.db')): Promise<AdminHandle> {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${db}`, '--log-level', 'silent', ...extra], {});
  if (!c.ok) throw new Error('config');
  return startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: quiet() });
}
async function write(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(admin.url + path, { method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  admin = await start();
  const login = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  expect(login.status).toBe(200);
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const body = (await login.json()) as Record<string, string>;
  csrf = body.csrfToken ?? body.csrf_token!;
});
afterAll(async () => {
  await admin?.close();
});

describe('health', () => {
  it('/healthz answers without credentials; /readyz checks the database and the migrations', async () => {
    const h = await fetch(`${admin.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok' });
    const r = await fetch(`${admin.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 in the error format when a migration is missing', async () => {
    const other = await start([], join(dir, 'unready.db'));
    try {
      await other.store.db.deleteFrom('schema_migrations' as never).where('name' as never, '=', '003_bundle_publish_status' as never).execute();
      const r = await fetch(`${other.url}/readyz`);
      expect(r.status).toBe(503);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(body.error.message).toContain('003_bundle_publish_status');
      expect((await fetch(`${other.url}/healthz`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('/metrics', () => {
  it('needs a credential with the read permission by default', async () => {
    const anon = await fetch(`${admin.url}/metrics`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${admin.url}/metrics`, { headers: { cookie } })).status).toBe(200);
  });

  it('exposes the documented names, with labels, and counts a publish', async () => {
    expect((await write('POST', '/api/v1/services', { name: 'orders' })).status).toBe(201);
    expect((await write('POST', '/api/v1/services/orders/routes', { id: 'list', match: { path: '/orders' } })).status).toBe(201);
    await fetch(`${admin.url}/healthz`);
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('agentcore_admin_bundle_revision{service="orders"}') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      text = await (await fetch(`${admin.url}/metrics`, { headers: { cookie } })).text();
    }
    for (const name of [
      'agentcore_admin_http_requests_total',
      'agentcore_admin_http_request_duration_seconds',
      'agentcore_admin_bundle_longpoll_waiters',
      'agentcore_admin_bundle_publish_duration_seconds',
      'agentcore_admin_bundle_revision',
      'agentcore_admin_store_errors_total',
      'agentcore_admin_bundle_publish_failures_total',
      'agentcore_admin_bundle_unpublished_services',
    ]) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toMatch(/agentcore_admin_http_requests_total\{operation="getHealth",method="GET",status_class="2xx"\} [1-9]/);
    expect(text).toMatch(/agentcore_admin_http_requests_total\{operation="createService",method="POST",status_class="2xx"\} 1/);
    expect(text).toMatch(/agentcore_admin_bundle_revision\{service="orders"\} [1-9]/);
    expect(text).toMatch(/agentcore_admin_bundle_publish_duration_seconds_count [1-9]/);
    expect(text).toMatch(/agentcore_admin_bundle_unpublished_services 0/);
    expect(text).toMatch(/agentcore_admin_bundle_longpoll_waiters 0/);
  });

  it('counts store errors by kind', async () => {
    expect((await write('POST', '/api/v1/services', { name: 'orders' })).status).toBe(409);
    const text = await (await fetch(`${admin.url}/metrics`, { headers: { cookie } })).text();
    expect(text).toMatch(/agentcore_admin_store_errors_total\{kind="conflict"\} [1-9]/);
  });

  it('is public with --metrics-public true', async () => {
    const pub = await start(['--metrics-public', 'true'], join(dir, 'public.db'));
    try {
      const r = await fetch(`${pub.url}/metrics`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    } finally {
      await pub.close();
    }
  });
});
