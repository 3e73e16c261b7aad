/**
 * #10 newcomer defect: Swagger UI's "Try it out" could not run writes. The OpenAPI document declares the CSRF header
 * (and explains bearer PATs); /docs loads a request interceptor as a file that adds the session's CSRF token; the
 * page's CSP allows no inline script.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startAdmin, type AdminHandle } from '../src/index.js';

const PASSWORD = 'a long enough password';
let admin: AdminHandle;

beforeAll(async () => {
  const c = loadConfig(['--listen', '127.0.0.1:0', '--database', `sqlite:${join(mkdtempSync(join(tmpdir(), 'agentcore-docs-')), 'a.db')}`, '--log-level', 'silent'], {});
  if (!c.ok) throw new Error('config');
  admin = await startAdmin(c.config, { env: { AGENTCORE_ADMIN_PASSWORD: PASSWORD }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
});
afterAll(async () => {
  await admin?.close();
});

describe('/docs can run writes', () => {
  it('declares the X-CSRF-Token header on every write a session can make, and explains bearer PATs', async () => {
    const doc = (await (await fetch(`${admin.url}/api/v1/openapi.json`)).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.components.securitySchemes.csrfToken).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-CSRF-Token' });
    expect(doc.components.securitySchemes.bearerToken.description).toContain('POST /api/v1/tokens');
    expect(doc.paths['/api/v1/services'].post.security).toEqual([{ sessionCookie: [], csrfToken: [] }, { bearerToken: [] }]);
    expect(doc.paths['/api/v1/services'].get.security).toEqual([{ sessionCookie: [] }, { bearerToken: [] }]);
    expect(doc.info.description).toContain('camelCase');
  });

  it('serves the page with no inline script and a CSP without unsafe-inline scripts; the interceptor is a file', async () => {
    const page = await fetch(`${admin.url}/docs/`);
    const csp = page.headers.get('content-security-policy')!;
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!;
    expect(scriptSrc).not.toContain('unsafe-inline');
    const html = await page.text();
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(s).toMatch(/\ssrc=/);
    expect(html).toContain("src='./agentcore-docs.js'");
    const init = await (await fetch(`${admin.url}/docs/swagger-ui-init.js`)).text();
    expect(init).toMatch(/requestInterceptor[\s\S]*agentcoreDocs/);
    const js = await fetch(`${admin.url}/docs/agentcore-docs.js`);
    expect(js.headers.get('content-type')).toMatch(/^application\/javascript/);
  });

  it('the interceptor adds the session\'s CSRF token: a write from the docs page succeeds (403 without it)', async () => {
    const login = await fetch(`${admin.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    // the browser of the docs page: same-origin fetch sends the HttpOnly cookie
    const browserFetch = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), cookie } });
    const window: { location: { href: string }; agentcoreDocs?: { requestInterceptor(r: unknown): Promise<{ headers: Record<string, string> }> | { headers: Record<string, string> } } } = { location: { href: `${admin.url}/docs/` } };
    runInNewContext(await (await fetch(`${admin.url}/docs/agentcore-docs.js`)).text(), { window, fetch: browserFetch, URL });
    const write = (headers: Record<string, string>) => browserFetch(`${admin.url}/api/v1/services`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ name: `docs-${Object.keys(headers).length}` }) });

    expect((await write({})).status).toBe(403); // what "Try it out" got before
    const req = await window.agentcoreDocs!.requestInterceptor({ method: 'POST', url: `${admin.url}/api/v1/services`, headers: { 'content-type': 'application/json' } });
    expect(req.headers['X-CSRF-Token']).toEqual(expect.any(String));
    expect((await write({ 'x-csrf-token': req.headers['X-CSRF-Token']! })).status).toBe(201);
    // reads and bearer requests are left alone
    expect((await window.agentcoreDocs!.requestInterceptor({ method: 'GET', url: '/x', headers: {} })).headers).toEqual({});
    expect((await window.agentcoreDocs!.requestInterceptor({ method: 'DELETE', url: '/x', headers: { Authorization: 'Bearer agc_pat_x' } })).headers).toEqual({ Authorization: 'Bearer agc_pat_x' });
  });
});
