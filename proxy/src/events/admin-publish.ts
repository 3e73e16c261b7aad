/**
 * Publishing on the sidecar's admin port (docs/events.md § Publishing): `POST /events/<routeId>/publish`. The admin
 * port is not exposed outside the Pod, so only the backend beside the sidecar reaches it; the publisher still
 * authenticates with the bundle's authentication (API key or JWT in the headers, never identity headers) and must
 * hold the route's `events.publish.permission` in the bundle's RBAC.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { errorBody } from '@agentcore/policies';
import type { PolicyRuntime } from '../bundle/policy-runtime.js';
import { handlePublish, type PublisherCheck } from './publish-handler.js';
import type { SidecarEvents } from './sidecar-events.js';

const PUBLISH_PATH = /^\/events\/([^/]+)\/publish$/;

function notFound(res: ServerResponse, message: string, requestId: string): void {
  const body = errorBody('NOT_FOUND', message, requestId, {}, Date.now());
  res.writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function unavailable(res: ServerResponse, message: string, requestId: string): void {
  const body = errorBody('SERVICE_UNAVAILABLE', message, requestId, {}, Date.now());
  res.writeHead(503, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'retry-after': '1', 'cache-control': 'no-store' });
  res.end(body);
}

/** The bundle's authentication and the route's publish permission, applied to one publish request. */
async function checkPublisher(req: IncomingMessage, runtime: PolicyRuntime, routeId: string): Promise<PublisherCheck> {
  const route = runtime.routes.find((r) => r.id === routeId);
  const events = route?.route.events;
  if (!route || !events) return { ok: false, code: 'FORBIDDEN', message: `route ${routeId} is no longer an event route` };
  const outcome = await runtime.auth.authenticate(req.headers, route.authMethods, Date.now());
  if (!outcome.ok) return { ok: false, code: 'UNAUTHENTICATED', message: `publishing needs a credential the route accepts: ${outcome.message}` };
  const permission = events.publish.permission;
  if (!runtime.rbac.grants(outcome.principal.roles, permission)) return { ok: false, code: 'FORBIDDEN', message: `publishing to route ${routeId} requires permission ${permission}` };
  return { ok: true, principalId: outcome.principal.id };
}

/** The admin-port handler: true when it took the request (a publish path), false to let the admin server go on. */
export function adminPublishHandler(events: SidecarEvents, runtime: () => PolicyRuntime): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const m = PUBLISH_PATH.exec((req.url ?? '/').split('?', 1)[0]!);
    if (!m) return false;
    const routeId = decodeURIComponent(m[1]!);
    const requestId = randomUUID();
    const rt = runtime();
    const policy = rt.routes.find((r) => r.id === routeId)?.route.events;
    const er = events.route(routeId);
    if (!policy) notFound(res, `no event route "${routeId}" in the bundle in force`, requestId);
    else if (!er) unavailable(res, `the event bus of route ${routeId} is not ready; retry`, requestId);
    else void handlePublish(req, res, { bus: er.bus, requestId, metrics: events.metrics, maxEventBytes: policy.publish.maxEventBytes, checkPublisher: (r) => checkPublisher(r, rt, routeId) });
    if (!policy || !er) req.resume();
    return true;
  };
}
