/**
 * AdmissionReview v1 (admission.k8s.io/v1) for the sidecar injector: a pure function from the review
 * the API server sends to the review it expects back. Pods only; anything else is allowed unchanged.
 */
import { injectSidecar, type InjectOptions, type PodLike } from './sidecar-injection.js';

/** The response part of an AdmissionReview v1. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  patchType?: 'JSONPatch';
  patch?: string;
  warnings?: string[];
}

/** An AdmissionReview v1 answer. */
export interface AdmissionReviewResponse {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A review that is not one: no uid to answer to, so the endpoint answers 400. */
export class MalformedReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedReviewError';
  }
}

const UID = /^[A-Za-z0-9-]{1,128}$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Answers one AdmissionReview v1; throws MalformedReviewError when there is no request to answer. */
export function reviewPodAdmission(body: unknown, opts: InjectOptions): AdmissionReviewResponse & { reason: string } {
  if (!isObject(body)) throw new MalformedReviewError('the body is not a JSON object');
  if (body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
    throw new MalformedReviewError('expected apiVersion admission.k8s.io/v1, kind AdmissionReview');
  }
  const req = body.request;
  if (!isObject(req) || typeof req.uid !== 'string' || !UID.test(req.uid)) throw new MalformedReviewError('request.uid is missing or not a UID');
  const uid = req.uid;
  const answer = (response: Omit<AdmissionResponse, 'uid'>, reason: string) => ({
    apiVersion: 'admission.k8s.io/v1' as const,
    kind: 'AdmissionReview' as const,
    response: { uid, ...response },
    reason,
  });
  const kind = isObject(req.kind) ? req.kind : {};
  if (kind.kind !== 'Pod' || (kind.group ?? '') !== '' || req.operation !== 'CREATE') {
    return answer({ allowed: true }, `not a Pod creation (${String(kind.kind)} ${String(req.operation)}): unchanged`);
  }
  if (req.dryRun === true && !isObject(req.object)) return answer({ allowed: true }, 'dry run without object');
  if (!isObject(req.object)) {
    return answer({ allowed: false, status: { code: 400, reason: 'BadRequest', message: 'agentcore injector: request.object is not a Pod' } }, 'no object');
  }
  const result = injectSidecar(req.object as PodLike, opts);
  if (result.kind === 'refuse') {
    return answer({ allowed: false, status: { code: 422, reason: 'Invalid', message: `agentcore injector: ${result.message}` } }, result.message);
  }
  if (result.patch.length === 0) return answer({ allowed: true }, result.reason);
  return answer({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(result.patch)).toString('base64') }, result.reason);
}
