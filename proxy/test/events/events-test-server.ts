/**
 * A tiny http.Server that serves the event handlers the way the sidecar will: GET /events (SSE), an upgrade on
 * /events (WebSocket), POST /publish. Its authentication is a stub (a token → principal table); the integrator
 * replaces it with the sidecar's pipeline.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Registry } from 'prom-client';
import { compileRbac, EventsPolicy } from '@agentcore/policies';
import type { EventsPolicy as EventsPolicyType, Role, TopicPrincipal } from '@agentcore/policies';
import { EventsMetrics } from '../../src/events/events-metrics.js';
import type { EventBus } from '../../src/events/event-bus.js';
import { handlePublish } from '../../src/events/publish-handler.js';
import { serveEventsSse } from '../../src/events/sse-handler.js';
import { SubscriptionHub } from '../../src/events/subscription-hub.js';
import { topicAuthorizer } from '../../src/events/topic-authorizer.js';
import { serveEventsWebSocket } from '../../src/events/ws-handler.js';

/** Roles of the test bundle. */
export const ROLES: Role[] = [
  { name: 'admin', permissions: ['agents:read', 'workflows:read'], inherits: [] },
  { name: 'user', permissions: ['agents:read-own', 'workflows:read'], inherits: [] },
  { name: 'publisher', permissions: ['events:publish'], inherits: [] },
];

/** The event policy of the test route. */
export const POLICY = EventsPolicy.parse({
  topics: [
    { pattern: 'agents/{id}', permission: 'agents:read', owner: { permission: 'agents:read-own' } },
    { pattern: 'workflows/{id}/runs', permission: 'workflows:read' },
  ],
  history: { maxEvents: 100, maxAgeMs: 60_000 },
  queueLimit: 50,
  heartbeatMs: 1000,
  retryMs: 500,
});

/** Tokens of the stub authentication: `Bearer <token>`. */
export const TOKENS: Record<string, TopicPrincipal> = {
  admin: { id: 'root', roles: ['admin'] },
  alice: { id: 'alice', roles: ['user'] },
  bob: { id: 'bob', roles: ['user'] },
  backend: { id: 'orders-backend', roles: ['publisher'] },
  nobody: { id: 'nobody', roles: [] },
};

export interface EventsTestServer {
  url: string;
  wsUrl: string;
  hub: SubscriptionHub;
  metrics: EventsMetrics;
  registry: Registry;
  /** installs new roles, as a bundle change would */
  setRoles(roles: Role[]): number;
  close(): Promise<void>;
}

function principalOf(req: IncomingMessage): TopicPrincipal | undefined {
  const auth = req.headers.authorization;
  const url = new URL(req.url ?? '/', 'http://x');
  const token = auth?.startsWith('Bearer ') ? auth.slice(7) : (url.searchParams.get('access_token') ?? undefined);
  // `expiring`: an admin whose credential expires 300 ms after the request
  if (token === 'expiring') return { id: 'eve', roles: ['admin'], expiresAt: Date.now() + 300 } as TopicPrincipal;
  return token === undefined ? undefined : TOKENS[token];
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startEventsServer(bus: EventBus, policy: EventsPolicyType = POLICY, port = 0): Promise<EventsTestServer> {
  const registry = new Registry();
  const metrics = new EventsMetrics(registry);
  let rbac = compileRbac(ROLES);
  const hub = new SubscriptionHub({ bus, authorize: topicAuthorizer(policy, rbac), metrics });
  let n = 0;
  const server: Server = createServer((req, res) => {
    const requestId = `req-${++n}`;
    if (req.url?.startsWith('/publish')) {
      void handlePublish(req, res, {
        bus,
        requestId,
        metrics,
        maxEventBytes: policy.publish.maxEventBytes,
        checkPublisher: async (r) => {
          const p = principalOf(r);
          if (p === undefined) return { ok: false, code: 'UNAUTHENTICATED', message: 'publishing needs credentials' };
          if (!rbac.grants(p.roles, policy.publish.permission)) return { ok: false, code: 'FORBIDDEN', message: `publishing requires ${policy.publish.permission}` };
          return { ok: true, principalId: p.id };
        },
      });
      return;
    }
    const principal = principalOf(req);
    if (principal === undefined) {
      res.writeHead(401).end();
      return;
    }
    void serveEventsSse(req, res, principal, { hub, requestId, metrics, queueLimit: policy.queueLimit, maxTopics: 20, heartbeatMs: policy.heartbeatMs, retryMs: policy.retryMs });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const principal = principalOf(req);
    if (principal === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveEventsWebSocket(ws, principal, {
        hub,
        requestId: `req-${++n}`,
        metrics,
        queueLimit: policy.queueLimit,
        maxSubscriptionsPerConnection: policy.maxSubscriptionsPerConnection,
        heartbeatMs: policy.heartbeatMs,
      }),
    );
  });
  server.listen({ port, host: '127.0.0.1', backlog: 4096 }); // a reconnect storm arrives at once
  await new Promise((r) => server.once('listening', r));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    wsUrl: `ws://127.0.0.1:${actual}/events`,
    hub,
    metrics,
    registry,
    setRoles(roles) {
      rbac = compileRbac(roles);
      return hub.reauthorize(topicAuthorizer(policy, rbac));
    },
    async close() {
      hub.close();
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Publishes one event through the HTTP endpoint; returns the status and the parsed body. */
export async function publish(url: string, event: unknown, token: string | null = 'backend'): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}/publish`, { method: 'POST', headers, body: typeof event === 'string' ? event : JSON.stringify(event) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
