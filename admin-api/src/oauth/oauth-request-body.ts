/**
 * Reads the body of an OAuth endpoint into a flat parameter map: `application/x-www-form-urlencoded`
 * (RFC 6749 §4) or the specification's JSON "Authentication Request" (an object of strings). Bodies over
 * the limit, other media types, repeated parameters (RFC 6749 §3.2) and non-string JSON values are refused.
 */
import type { Request } from 'express';
import { OAuthError } from './oauth-error.js';

/** Largest accepted body of an OAuth endpoint (a JWT subject token fits easily). */
export const OAUTH_BODY_LIMIT_BYTES = 16 * 1024;

/** The request's parameters, one string per name. */
export type OAuthParams = ReadonlyMap<string, string>;

async function readBody(req: Request): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > OAUTH_BODY_LIMIT_BYTES) throw new OAuthError('invalid_request', `the body is larger than ${OAUTH_BODY_LIMIT_BYTES} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > OAUTH_BODY_LIMIT_BYTES) {
      req.unpipe();
      req.resume();
      throw new OAuthError('invalid_request', `the body is larger than ${OAUTH_BODY_LIMIT_BYTES} bytes`, 413);
    }
    chunks.push(chunk);
  }
  const buf = Buffer.concat(chunks);
  const text = buf.toString('utf8');
  if (Buffer.byteLength(text, 'utf8') !== buf.length || text.includes('\uFFFD')) throw new OAuthError('invalid_request', 'the body is not valid UTF-8');
  return text;
}

function fromForm(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(text)) {
    if (out.has(k)) throw new OAuthError('invalid_request', `parameter "${k.slice(0, 40)}" is repeated (RFC 6749 §3.2)`);
    if (v !== '') out.set(k, v);
  }
  return out;
}

function fromJson(text: string): Map<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OAuthError('invalid_request', 'the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OAuthError('invalid_request', 'the JSON body must be an object of string parameters');
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (typeof v !== 'string') throw new OAuthError('invalid_request', `parameter "${k.slice(0, 40)}" must be a string`);
    if (v !== '') out.set(k, v);
  }
  return out;
}

/** Parses a POST body; `json` says whether the JSON form is accepted on this endpoint. */
export async function readOAuthParams(req: Request, json: boolean): Promise<Map<string, string>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (req.headers['content-encoding'] !== undefined && req.headers['content-encoding'] !== 'identity') {
    throw new OAuthError('invalid_request', 'compressed bodies are not accepted', 415);
  }
  if (type === 'application/x-www-form-urlencoded') return fromForm(await readBody(req));
  if (json && type === 'application/json') return fromJson(await readBody(req));
  throw new OAuthError('invalid_request', `send the parameters as application/x-www-form-urlencoded${json ? ' or application/json' : ''}`, 415);
}
