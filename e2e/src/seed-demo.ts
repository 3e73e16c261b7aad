/**
 * Puts a policy bundle's content into a running control plane through its public API (the way an
 * operator's automation would): service, settings, upstreams, rate limits, roles, JWT issuers,
 * routes, the principals the API keys belong to, the keys, and a sidecar credential. Used by `npm start` and the
 * whole-system tests.
 */
export interface SeedResult {
  /** secrets of the created API keys, by the key's role name */
  apiKeys: Record<string, { id: string; secret: string; principal: string }>;
  /** the per-service sidecar credential */
  sidecarToken: string;
  /** its id, to revoke it when it is replaced */
  sidecarCredentialId: string;
}

interface BundleLike {
  service: string;
  routes: { id: string }[];
  upstreams?: Record<string, unknown>;
  roles?: { name: string; inherits?: string[] }[];
  rateLimits?: { id: string }[];
  authentication?: { jwt?: { id: string }[]; apiKeys?: { id: string; principal: string; roles?: string[]; scopes?: string[] }[] };
  cors?: unknown;
  logging?: unknown;
  limits?: unknown;
  securityHeaders?: unknown;
}

/** A small JSON client with a bearer token; throws with the error body on a non-2xx answer. */
export function adminClient(baseUrl: string, token: string) {
  return async function call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const r = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    const parsed = text === '' ? undefined : (JSON.parse(text) as T);
    if (r.status >= 400) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
    return { status: r.status, body: parsed as T, headers: r.headers };
  };
}

/** A personal access token as minted: its id (to revoke it later) and its secret. */
export interface MintedToken {
  id: string;
  token: string;
}

/** Logs in with a password and returns a new personal access token for automation. */
export async function loginForToken(baseUrl: string, username: string, password: string): Promise<string> {
  return (await loginAndMintToken(baseUrl, username, password, 'automation')).token;
}

/** Logs in with a password and mints a personal access token named `name`; throws `login failed: 401 …` on a wrong password. */
export async function loginAndMintToken(baseUrl: string, username: string, password: string, name: string): Promise<MintedToken> {
  const s = await fetch(`${baseUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (s.status !== 200) throw new Error(`login failed: ${s.status} ${await s.text()}`);
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  const cookie = s.headers.get('set-cookie')!.split(';', 1)[0]!;
  const t = await fetch(`${baseUrl}/api/v1/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token }, body: JSON.stringify({ name }) });
  if (t.status !== 201) throw new Error(`token creation failed: ${t.status} ${await t.text()}`);
  const { id, token } = (await t.json()) as MintedToken;
  return { id, token };
}

/** Whether `token` is accepted by the admin API for `path` (a GET answering 2xx or 304). */
export async function tokenWorks(baseUrl: string, token: string, path: string): Promise<boolean> {
  const r = await fetch(baseUrl + path, { headers: { authorization: `Bearer ${token}` } });
  await r.arrayBuffer();
  return r.status < 300 || r.status === 304;
}

/** Roles ordered so each comes after the roles it inherits (a role naming an unknown role is refused). */
function parentsFirst<R extends { name: string; inherits?: string[] }>(roles: readonly R[]): R[] {
  const byName = new Map(roles.map((r) => [r.name, r]));
  const out: R[] = [];
  const seen = new Set<string>();
  const visit = (r: R): void => {
    if (seen.has(r.name)) return;
    seen.add(r.name);
    for (const p of r.inherits ?? []) {
      const parent = byName.get(p);
      if (parent) visit(parent);
    }
    out.push(r);
  };
  roles.forEach(visit);
  return out;
}

/** Seeds `bundle` as service `bundle.service`; API keys are created anew (their secrets are returned). */
export async function seedService(baseUrl: string, token: string, bundle: BundleLike): Promise<SeedResult> {
  const call = adminClient(baseUrl, token);
  const s = `/api/v1/services/${bundle.service}`;
  await call('POST', '/api/v1/services', { name: bundle.service });
  await call('PUT', `${s}/settings`, { cors: bundle.cors ?? null, logging: bundle.logging ?? null, limits: bundle.limits ?? null, securityHeaders: bundle.securityHeaders ?? null });
  for (const [name, definition] of Object.entries(bundle.upstreams ?? {})) await call('POST', `${s}/upstreams`, { name, definition });
  for (const r of bundle.rateLimits ?? []) await call('POST', `${s}/rate-limits`, r);
  for (const r of parentsFirst(bundle.roles ?? [])) await call('POST', `${s}/roles`, r);
  for (const j of bundle.authentication?.jwt ?? []) await call('POST', `${s}/jwt-issuers`, j);
  for (const r of bundle.routes) await call('POST', `${s}/routes`, r);
  const apiKeys: SeedResult['apiKeys'] = {};
  // A key must name an existing principal (issue #10): create the ones the bundle's keys belong to, once.
  for (const principal of new Set((bundle.authentication?.apiKeys ?? []).map((k) => k.principal))) {
    const known = await fetch(`${baseUrl}/api/v1/principals/${encodeURIComponent(principal)}`, { headers: { authorization: `Bearer ${token}` } });
    await known.arrayBuffer();
    if (known.status === 404) await call('POST', '/api/v1/principals', { id: principal, kind: 'service-account', displayName: `${principal} (demo)` });
  }
  for (const k of bundle.authentication?.apiKeys ?? []) {
    const created = await call<{ id: string; secret: string }>('POST', `${s}/api-keys`, { principal: k.principal, roles: k.roles ?? [], scopes: k.scopes ?? [], description: `seeded from ${k.id}` });
    apiKeys[k.roles?.[0] ?? k.id] = { id: created.body.id, secret: created.body.secret, principal: k.principal };
  }
  const cred = await call<{ id: string; token: string }>('POST', `${s}/sidecar-credentials`, { name: 'demo-sidecar' });
  await call('POST', `${s}/publish`, {});
  return { apiKeys, sidecarToken: cred.body.token, sidecarCredentialId: cred.body.id };
}
