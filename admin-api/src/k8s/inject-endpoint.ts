/**
 * `POST /k8s/inject`: the mutating admission webhook the Kubernetes API server calls for Pod creations
 * (AdmissionReview v1 in, AdmissionReview v1 out). Enabled by AGENTCORE_ADMIN_INJECT_IMAGE and
 * AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL; without them the route is not mounted.
 */
import express, { type ErrorRequestHandler, type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { errorBody } from '@agentcore/policies';
import { MalformedReviewError, reviewPodAdmission } from './admission-review.js';
import type { InjectOptions } from './sidecar-injection.js';

const PORT_DEFAULTS = { listenPort: 15080, adminPort: 15090 };

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number 1-65535, got "${value}"`);
  return n;
}

/** Reads the injector's options from the environment; undefined when injection is not configured. */
export function injectOptionsFromEnv(env: NodeJS.ProcessEnv): InjectOptions | undefined {
  const image = env.AGENTCORE_ADMIN_INJECT_IMAGE;
  const controlPlaneUrl = env.AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL;
  if (!image && !controlPlaneUrl) return undefined;
  if (!image || !controlPlaneUrl) throw new Error('set both AGENTCORE_ADMIN_INJECT_IMAGE and AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL to enable /k8s/inject');
  if (!/^https?:\/\/[^\s]+$/.test(controlPlaneUrl)) throw new Error(`AGENTCORE_ADMIN_INJECT_CONTROL_PLANE_URL must be an http(s) URL, got "${controlPlaneUrl}"`);
  const mode = env.AGENTCORE_ADMIN_INJECT_MODE || 'native';
  if (mode !== 'native' && mode !== 'container') throw new Error(`AGENTCORE_ADMIN_INJECT_MODE must be native (Kubernetes 1.29+) or container, got "${mode}"`);
  return {
    image,
    controlPlaneUrl,
    mode,
    listenPort: port(env.AGENTCORE_ADMIN_INJECT_LISTEN_PORT, PORT_DEFAULTS.listenPort, 'AGENTCORE_ADMIN_INJECT_LISTEN_PORT'),
    adminPort: port(env.AGENTCORE_ADMIN_INJECT_ADMIN_PORT, PORT_DEFAULTS.adminPort, 'AGENTCORE_ADMIN_INJECT_ADMIN_PORT'),
  };
}

/** The webhook as an Express router (its own JSON parser and error answers; no session or CSRF). */
export function createInjectRouter(opts: InjectOptions, log?: Logger): Router {
  const router = express.Router({ caseSensitive: true, strict: true });
  router.post('/k8s/inject', express.json({ limit: '3mb', strict: true, type: ['application/json'] }), (req, res) => {
    const requestId = String(res.locals.requestId ?? '');
    try {
      const { reason, ...review } = reviewPodAdmission(req.body, opts);
      const r = review.response;
      log?.info({ uid: r.uid, allowed: r.allowed, patched: r.patch !== undefined, reason, request_id: requestId }, 'k8s sidecar injection');
      res.status(200).type('application/json').send(JSON.stringify(review));
    } catch (e) {
      if (!(e instanceof MalformedReviewError)) throw e;
      res.status(400).type('application/json').send(errorBody('INVALID_REQUEST', `malformed AdmissionReview: ${e.message}`, requestId, {}, Date.now()));
    }
  });
  const onError: ErrorRequestHandler = (err: { type?: string; status?: number }, _req, res, next) => {
    const requestId = String(res.locals.requestId ?? '');
    if (err?.type === 'entity.parse.failed') res.status(400).type('application/json').send(errorBody('INVALID_REQUEST', 'the AdmissionReview is not valid JSON', requestId, {}, Date.now()));
    else if (err?.type === 'entity.too.large') res.status(413).type('application/json').send(errorBody('PAYLOAD_TOO_LARGE', 'the AdmissionReview is too large', requestId, {}, Date.now()));
    else if (err?.status === 415) res.status(415).type('application/json').send(errorBody('UNSUPPORTED_MEDIA_TYPE', 'send application/json', requestId, {}, Date.now()));
    else next(err);
  };
  router.use('/k8s', onError);
  return router;
}

/** Mounts `/k8s/inject` when the environment configures it (the one line for the server's `mount`). */
export function mountSidecarInjector(app: Express, env: NodeJS.ProcessEnv, log?: Logger): boolean {
  const opts = injectOptionsFromEnv(env);
  if (!opts) return false;
  app.use(createInjectRouter(opts, log));
  return true;
}
