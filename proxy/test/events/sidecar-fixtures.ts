/** Fixtures of the event tests through real sidecars: the bundle with an event route, JWTs, publishing on the admin port. */
import { importJWK, SignJWT } from 'jose';
import type { PolicyBundleInput } from '@agentcore/policies';
import { demoBundle, demoCredentials, demoPrivateJwk } from '../helpers.js';

const OPERATOR = demoCredentials.apiKeys.operator;

/** The demo bundle with an event route; `viewerPerms` are the viewer role's permissions. */
export function eventsBundle(viewerPerms = ['agents:read', 'workflows:read'], revision = 1, o: { service?: string; maxEvents?: number; queueLimit?: number; maxConnectionsPerClient?: number; heartbeatMs?: number } = {}): PolicyBundleInput {
  const b = demoBundle() as Record<string, unknown> & { roles: { name: string; permissions: string[] }[]; routes: unknown[] };
  b.revision = revision;
  if (o.service) b.service = o.service;
  b.roles = b.roles.map((r) => (r.name === 'viewer' ? { ...r, permissions: viewerPerms } : r.name === 'operator' ? { ...r, permissions: [...r.permissions, 'events:publish'] } : r));
  b.roles.push({ name: 'user', permissions: ['agents:read-own'] }); // reads the agents' events it owns
  b.routes.unshift({
    id: 'events',
    match: { methods: ['GET'], path: '/api/v1/events', kind: 'exact' },
    websocket: { tokenIn: ['protocol', 'query'], maxMessageBytes: 4096, maxConnectionsPerClient: o.maxConnectionsPerClient ?? 20 },
    events: {
      topics: [
        { pattern: 'agents/{id}', permission: 'agents:read', owner: { permission: 'agents:read-own' } },
        { pattern: 'workflows/{id}/runs', permission: 'workflows:read' },
      ],
      history: { maxEvents: o.maxEvents ?? 5, maxAgeMs: 60_000 },
      queueLimit: o.queueLimit ?? 20,
      heartbeatMs: o.heartbeatMs ?? 1000,
      retryMs: 700,
      publish: { permission: 'events:publish', maxEventBytes: 70_000 },
    },
  });
  return b as PolicyBundleInput;
}

/** A demo-issuer JWT for `sub` with `roles`. */
export async function jwtFor(sub: string, roles: string[]): Promise<string> {
  return new SignJWT({ roles })
    .setProtectedHeader({ alg: 'ES256', kid: demoCredentials.jwt.kid })
    .setIssuer(demoCredentials.jwt.issuer)
    .setAudience(demoCredentials.jwt.audience)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(await importJWK(demoPrivateJwk, 'ES256'));
}

/** Publishes on the admin port; returns status and body. */
export async function publishAt(adminUrl: string, event: unknown, key: string | null = OPERATOR, route = 'events'): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== null) headers['x-api-key'] = key;
  const res = await fetch(`${adminUrl}/events/${route}/publish`, { method: 'POST', headers, body: typeof event === 'string' ? event : JSON.stringify(event) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
