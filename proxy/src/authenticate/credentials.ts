/**
 * Pure extraction of the credential a request presents: `Authorization: Bearer` (RFC 6750 §2.1),
 * `Authorization: ApiKey`, or `X-API-Key`. No verification happens here.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What the request presents; `malformed` messages never echo the credential. */
export type PresentedCredential =
  | { type: 'bearer'; token: string; looksLikeJwt: boolean }
  | { type: 'api-key'; key: string }
  | { type: 'none' }
  | { type: 'malformed'; message: string };

/** RFC 9110 §11.2 token68, as RFC 6750 §2.1 uses it for `b64token`. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
/** `<scheme> <value>` with exactly one space. */
const SCHEME_VALUE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) (\S.*)$/s;
/** An API key: visible ASCII without commas (Node joins repeated `X-API-Key` headers with ", "). */
const API_KEY = /^[\x21-\x2b\x2d-\x7e]+$/;
/** Compact JWS: three base64url parts; the signature may be empty (`alg: none`), so such tokens still reach — and fail — JWT verification. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const NONE: PresentedCredential = Object.freeze({ type: 'none' });
const ACCEPTED_SCHEMES = "use 'Authorization: Bearer <token>', 'Authorization: ApiKey <key>' or 'X-API-Key: <key>'";

function malformed(message: string): PresentedCredential {
  return { type: 'malformed', message };
}

function bearer(token: string): PresentedCredential {
  if (!TOKEN68.test(token)) return malformed('the bearer token contains characters outside the RFC 6750 token syntax');
  return { type: 'bearer', token, looksLikeJwt: JWT_SHAPE.test(token) };
}

/**
 * Reads the credential from lower-case Node headers. `extraToken` (e.g. from a WebSocket
 * subprotocol or query) is a bearer token used only when no credential header is present.
 * Two credentials (Authorization and a different X-API-Key, or repeated headers) are malformed:
 * the proxy never guesses which one the client meant.
 */
export function extractCredential(headers: IncomingHttpHeaders, extraToken?: string): PresentedCredential {
  const authorization: unknown = headers.authorization;
  const xApiKey: unknown = headers['x-api-key'];
  if (authorization === undefined && xApiKey === undefined) {
    if (extraToken === undefined) return NONE;
    if (extraToken.trim() === '') return malformed('the access token is empty');
    return bearer(extraToken);
  }
  if (Array.isArray(authorization)) return malformed('more than one Authorization header');
  if (Array.isArray(xApiKey)) return malformed('more than one X-API-Key header');

  let headerKey: string | undefined;
  if (typeof xApiKey === 'string') {
    if (xApiKey.trim() === '') return malformed('the X-API-Key header is empty');
    if (!API_KEY.test(xApiKey)) {
      return malformed(xApiKey.includes(',') ? 'more than one X-API-Key header' : 'the X-API-Key header contains spaces or control characters');
    }
    headerKey = xApiKey;
  }
  if (typeof authorization !== 'string') return headerKey === undefined ? NONE : { type: 'api-key', key: headerKey };

  if (authorization.trim() === '') return malformed('the Authorization header is empty');
  const match = SCHEME_VALUE.exec(authorization);
  const scheme = match?.[1]?.toLowerCase();
  const value = match?.[2];
  if (scheme === undefined || value === undefined) {
    return malformed(`the Authorization header is not '<scheme> <credential>'; ${ACCEPTED_SCHEMES}`);
  }
  if (scheme === 'bearer') {
    if (headerKey !== undefined) return malformed('both a bearer token and an X-API-Key were presented; send one credential');
    return bearer(value);
  }
  if (scheme === 'apikey') {
    if (!API_KEY.test(value)) return malformed('the API key contains spaces, commas or control characters');
    if (headerKey !== undefined && headerKey !== value) return malformed('the Authorization and X-API-Key headers carry different API keys; send one');
    return { type: 'api-key', key: value };
  }
  return malformed(`unsupported Authorization scheme; ${ACCEPTED_SCHEMES}`);
}
