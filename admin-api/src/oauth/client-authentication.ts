/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
 * `client_secret_basic` or `client_secret_post` for confidential clients, `client_id` alone for public
 * ones. Exactly one method per request; every failure is the same `invalid_client` (no hint which part was wrong).
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { findOAuthClient, hashClientSecret, type OAuthClientRecord } from '../store/oauth-clients-repo.js';
import type { Store } from '../store/index.js';
import { OAuthError, invalidClient } from './oauth-error.js';
import type { OAuthParams } from './oauth-request-body.js';

/** The authenticated client and how it authenticated. */
export interface ClientIdentity {
  client: OAuthClientRecord;
  method: 'client_secret_basic' | 'client_secret_post' | 'none';
}

const BASIC = /^Basic ([A-Za-z0-9+/]+=*)$/i;

function basicCredentials(header: string): { id: string; secret: string } {
  const m = BASIC.exec(header.trim());
  const decoded = m?.[1] === undefined ? undefined : Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded?.indexOf(':') ?? -1;
  if (decoded === undefined || colon < 1) throw invalidClient('malformed Basic credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

function secretMatches(client: OAuthClientRecord, secret: string): boolean {
  if (client.secretSha256 === null) return false;
  const a = Buffer.from(hashClientSecret(secret), 'hex');
  const b = Buffer.from(client.secretSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authenticates the client of a request; `allowPublic` admits public clients by `client_id`.
 * Returns undefined when no client identified itself and `optional` is set.
 */
export async function authenticateClient(store: Store, req: Request, params: OAuthParams, o: { allowPublic: boolean; optional?: boolean }): Promise<ClientIdentity | undefined> {
  const header = req.headers.authorization;
  const postId = params.get('client_id');
  const postSecret = params.get('client_secret');
  if (header !== undefined && /^Basic /i.test(header)) {
    if (postSecret !== undefined) throw new OAuthError('invalid_request', 'use one client authentication method, not Basic and client_secret together');
    const { id, secret } = basicCredentials(header);
    if (postId !== undefined && postId !== id) throw new OAuthError('invalid_request', 'client_id differs from the Basic credentials');
    const client = await findOAuthClient(store, id);
    if (!client || client.disabled || client.type !== 'confidential' || !secretMatches(client, secret)) throw invalidClient('client authentication failed');
    return { client, method: 'client_secret_basic' };
  }
  if (postId === undefined) {
    if (o.optional) return undefined;
    throw invalidClient('client authentication is required (HTTP Basic or client_id and client_secret)');
  }
  const client = await findOAuthClient(store, postId);
  if (!client || client.disabled) throw invalidClient('client authentication failed');
  if (postSecret !== undefined) {
    if (!secretMatches(client, postSecret)) throw invalidClient('client authentication failed');
    return { client, method: 'client_secret_post' };
  }
  if (client.type === 'public' && o.allowPublic) return { client, method: 'none' };
  throw invalidClient('client authentication failed');
}
