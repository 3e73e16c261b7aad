/**
 * Errors of the /oauth/* endpoints in the RFC 6749 §5.2 format (`error`, `error_description`), which
 * OAuth clients parse, with the status and `WWW-Authenticate` the RFCs ask for; always `no-store`.
 */
import type { Response } from 'express';

/** RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 8707 §2 and RFC 6750 §3.1 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'invalid_token'
  | 'server_error'
  | 'temporarily_unavailable';

/** An OAuth error answer. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' || error === 'invalid_token' ? 401 : error === 'server_error' ? 500 : error === 'temporarily_unavailable' ? 503 : 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** invalid_client (401) with the challenge of the scheme the client tried (RFC 6749 §5.2). */
export const invalidClient = (description: string): OAuthError =>
  new OAuthError('invalid_client', description, 401, { 'www-authenticate': 'Basic realm="agentcore-oauth", charset="UTF-8"' });

/** Writes an OAuth error (description limited to RFC 6749's allowed characters). */
export function sendOAuthError(res: Response, e: OAuthError): void {
  for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
  res.status(e.status).json({ error: e.error, error_description: e.description.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ') });
}
