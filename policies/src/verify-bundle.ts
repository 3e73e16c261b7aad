/**
 * Sidecar-side verification of a signed bundle (the envelope written by `signBundle` in `bundle-signing.ts`): signature,
 * type, schema, content hash, service and revision. Pure apart from the key set, which may fetch a JWKS. Never throws.
 */
import { compactVerify, errors, type JWTVerifyGetKey } from 'jose';
import { bundleHash } from './bundle-hash.js';
import type { PolicyBundle } from './schema.js';
import { BUNDLE_JWS_TYPE } from './sidecar-protocol.js';
import { describeIssues, validateBundle } from './validate-bundle.js';

/** The only signature algorithms accepted (RFC 7518 §3.4 ES256, RFC 8037 EdDSA); `none`, HMAC and RSA are refused. */
export const BUNDLE_JWS_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA'];

/** Why a signed bundle was refused. */
export type VerifyRejection =
  /** not a well-formed compact JWS, an algorithm outside the allowlist, or the signature does not verify */
  | 'BAD_SIGNATURE'
  /** no `kid`, or no trusted key has that `kid` (or the key set could not be fetched) */
  | 'UNKNOWN_KEY'
  /** signed correctly but its `typ` is not `agentcore-bundle+jws` */
  | 'BAD_TYPE'
  /** the payload is not JSON or does not validate against the bundle schema */
  | 'INVALID_BUNDLE'
  /** `hash` is missing or is not the hash of the content */
  | 'HASH_MISMATCH'
  /** a bundle for another service */
  | 'WRONG_SERVICE'
  /** a revision lower than the one running (a rollback is published as a new, higher revision) */
  | 'REVISION_ROLLBACK';

export type VerifyResult = { ok: true; bundle: PolicyBundle; kid: string } | { ok: false; reason: VerifyRejection; message: string };

/** What the bundle must be: its service, and the lowest acceptable revision (normally the one applied). */
export interface VerifyExpectation {
  service: string;
  minRevision?: number;
}

function reject(reason: VerifyRejection, message: string): VerifyResult {
  return { ok: false, reason, message };
}

function signatureFailure(e: unknown): VerifyResult {
  if (e instanceof errors.JWKSNoMatchingKey) return reject('UNKNOWN_KEY', 'no trusted key matches the bundle signature kid');
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return reject('UNKNOWN_KEY', `trusted key set unavailable: ${(e as Error).message}`);
  if (e instanceof errors.JOSEAlgNotAllowed) return reject('BAD_SIGNATURE', `signature algorithm not allowed (expected ${BUNDLE_JWS_ALGORITHMS.join(' or ')})`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return reject('BAD_SIGNATURE', 'bundle signature verification failed');
  if (e instanceof errors.JOSEError) return reject('BAD_SIGNATURE', `not a valid signed bundle: ${e.message}`);
  return reject('UNKNOWN_KEY', `cannot resolve the bundle signing key: ${(e as Error).message}`);
}

/**
 * Verifies a compact JWS bundle against the trusted keys (`createLocalJWKSet` / `createRemoteJWKSet`), then checks
 * `typ`, the bundle schema (defaults applied to the returned bundle), `hash === bundleHash(payload)`, the service and
 * `revision >= minRevision`. Only `ok: true` bundles may be enforced.
 */
export async function verifySignedBundle(jws: string, keys: JWTVerifyGetKey, expect: VerifyExpectation): Promise<VerifyResult> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(jws, (header, token) => {
      if (typeof header.kid !== 'string' || header.kid === '') throw new errors.JWKSNoMatchingKey();
      return keys(header, token);
    }, { algorithms: [...BUNDLE_JWS_ALGORITHMS] });
  } catch (e) {
    return signatureFailure(e);
  }
  const { protectedHeader, payload } = verified;
  const kid = protectedHeader.kid ?? '';
  if (protectedHeader.typ !== BUNDLE_JWS_TYPE) {
    return reject('BAD_TYPE', `signed object has typ ${JSON.stringify(protectedHeader.typ ?? null)}, expected "${BUNDLE_JWS_TYPE}"`);
  }

  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    return reject('INVALID_BUNDLE', `payload is not JSON: ${(e as Error).message}`);
  }
  const validation = validateBundle(raw);
  if (!validation.ok) return reject('INVALID_BUNDLE', `bundle does not validate: ${describeIssues(validation.issues)}`);
  const bundle = validation.bundle;

  // The hash covers the content as signed (before schema defaults), exactly what the control plane hashed.
  const expected = bundleHash(raw as object);
  if (bundle.hash === undefined) return reject('HASH_MISMATCH', 'bundle has no hash');
  if (bundle.hash !== expected) return reject('HASH_MISMATCH', `bundle hash ${bundle.hash} does not match its content (${expected})`);

  if (bundle.service !== expect.service) {
    return reject('WRONG_SERVICE', `bundle is for service "${bundle.service}", this sidecar enforces "${expect.service}"`);
  }
  if (expect.minRevision !== undefined && bundle.revision < expect.minRevision) {
    return reject('REVISION_ROLLBACK', `bundle revision ${bundle.revision} is lower than the applied revision ${expect.minRevision}`);
  }
  return { ok: true, bundle, kid };
}
