/**
 * GET/POST /oauth/authorize (RFC 6749 §4.1.1, RFC 9700): the client and its exact redirect_uri are checked
 * first (a mismatch is shown, never redirected to); then PKCE S256, scope and audience; the sign-in form
 * posts back with a double-submit CSRF token (SameSite=Strict cookie + hidden field); success redirects
 * with a single-use code, `state` and `iss` (RFC 9207).
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { pkceChallengeProblem, redirectUriMatches } from '@agentcore/policies';
import type { Request, Response } from 'express';
import { findOAuthClient, type OAuthClientRecord } from '../store/oauth-clients-repo.js';
import { insertOAuthCode } from '../store/oauth-tokens-repo.js';
import type { CodeGrant } from './grant-authorization-code.js';
import { chooseAudience, requestedScopes } from './grant-helpers.js';
import { verifyUser } from './grant-password.js';
import type { OAuthContext } from './oauth-context.js';
import { OAuthError } from './oauth-error.js';
import { readOAuthParams } from './oauth-request-body.js';
import { renderErrorPage, renderSignInPage } from './sign-in-page.js';
import { sha256Hex } from './token-issuer.js';

const CSRF_COOKIE = 'agentcore_oauth_csrf';
const REQUEST_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'nonce', 'audience', 'resource'];

/** Shown on the page (400), not redirected. */
class PageError extends Error {}

interface Validated {
  client: OAuthClientRecord;
  redirectUri: string;
  scopes: string[];
  audience: string;
  hidden: Map<string, string>;
}

function pageHeaders(res: Response, redirectUri?: string): void {
  const formAction = redirectUri === undefined ? "'self'" : `'self' ${new URL(redirectUri).origin}`;
  res.setHeader('content-security-policy', `default-src 'none'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`);
  res.setHeader('cache-control', 'no-store');
  res.type('html');
}

/** Checks an authorization request; PageError for client/redirect problems, OAuthError (to redirect) for the rest. */
async function validate(ctx: OAuthContext, params: ReadonlyMap<string, string>): Promise<Validated> {
  const clientId = params.get('client_id');
  const client = clientId === undefined ? undefined : await findOAuthClient(ctx.store, clientId);
  if (!client || client.disabled || !client.grants.includes('authorization_code')) throw new PageError('unknown client, or the client may not use this sign-in');
  const redirectUri = params.get('redirect_uri');
  if (redirectUri === undefined || !redirectUriMatches(client.redirectUris, redirectUri)) throw new PageError('the redirect_uri is not registered for this client');
  const v = { client, redirectUri, scopes: [] as string[], audience: '', hidden: new Map<string, string>() };
  if (params.get('response_type') !== 'code') throw Object.assign(new OAuthError('invalid_request', 'response_type must be code'), { code: 'unsupported_response_type' });
  const pkce = pkceChallengeProblem(params.get('code_challenge'), params.get('code_challenge_method'));
  if (pkce) throw new OAuthError('invalid_request', pkce);
  v.scopes = requestedScopes(params, client.scopes);
  v.audience = chooseAudience(params, client);
  for (const k of REQUEST_PARAMS) {
    const value = params.get(k);
    if (value !== undefined) v.hidden.set(k, value);
  }
  return v;
}

function redirectWith(res: Response, ctx: OAuthContext, redirectUri: string, values: Record<string, string | undefined>): void {
  const u = new URL(redirectUri);
  for (const [k, val] of Object.entries({ ...values, iss: ctx.issuer() })) if (val !== undefined) u.searchParams.append(k, val);
  res.setHeader('cache-control', 'no-store');
  res.redirect(303, u.href);
}

function queryParams(req: Request): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URL(req.originalUrl, 'http://x').searchParams) {
    if (out.has(k)) throw new PageError(`parameter ${k} is repeated`);
    if (v !== '') out.set(k, v);
  }
  return out;
}

/** Runs `step`; renders PageErrors and redirects OAuthErrors to the validated redirect URI. */
async function guarded(ctx: OAuthContext, res: Response, params: () => Promise<ReadonlyMap<string, string>>, step: (p: ReadonlyMap<string, string>, v: Validated) => Promise<void>): Promise<void> {
  let p: ReadonlyMap<string, string> | undefined;
  try {
    p = await params();
    await step(p, await validate(ctx, p));
  } catch (err) {
    if (err instanceof PageError) {
      pageHeaders(res);
      res.status(400).send(renderErrorPage(err.message));
      return;
    }
    if (err instanceof OAuthError && p !== undefined && err.status < 500) {
      const code = (err as OAuthError & { code?: string }).code ?? err.error;
      redirectWith(res, ctx, p.get('redirect_uri') ?? '', { error: code, error_description: err.description, state: p.get('state') });
      return;
    }
    throw err;
  }
}

function csrfCookie(value: string, secure: boolean): string {
  return [`${CSRF_COOKIE}=${value}`, 'HttpOnly', 'SameSite=Strict', 'Path=/oauth/authorize', 'Max-Age=600', ...(secure ? ['Secure'] : [])].join('; ');
}

function cookieValue(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === CSRF_COOKIE && v !== undefined && /^[A-Za-z0-9_-]{43}$/.test(v)) return v;
  }
  return undefined;
}

/** GET: validates and shows the form. */
export function handleAuthorizeGet(ctx: OAuthContext, secureCookies: boolean) {
  return (req: Request, res: Response): Promise<void> =>
    guarded(ctx, res, async () => queryParams(req), async (_p, v) => {
      const csrf = randomBytes(32).toString('base64url');
      pageHeaders(res, v.redirectUri);
      res.setHeader('set-cookie', csrfCookie(csrf, secureCookies));
      res.status(200).send(renderSignInPage({ clientName: v.client.name, scopes: v.scopes, hidden: v.hidden, csrf }));
    });
}

/** POST: checks CSRF and the password, then redirects with a code. */
export function handleAuthorizePost(ctx: OAuthContext) {
  return (req: Request, res: Response): Promise<void> =>
    guarded(ctx, res, () => readOAuthParams(req, false), async (p, v) => {
      const given = p.get('csrf_token') ?? '';
      const cookie = cookieValue(req) ?? '';
      if (cookie === '' || given.length !== cookie.length || !timingSafeEqual(Buffer.from(given), Buffer.from(cookie))) throw new PageError('the sign-in form expired or was not sent by this page; start again');
      let user;
      try {
        user = await verifyUser(ctx, p.get('username') ?? '', p.get('password') ?? '', req.ip ?? req.socket.remoteAddress ?? 'unknown');
      } catch (err) {
        if (!(err instanceof OAuthError) || err.error !== 'invalid_grant') throw err;
        pageHeaders(res, v.redirectUri);
        const error = err.status === 429 ? `Too many failed sign-ins. ${err.description.replace(/^.*; /, 'Please ')}.` : 'The username or password is wrong.';
        res.status(err.status === 429 ? 429 : 401).send(renderSignInPage({ clientName: v.client.name, scopes: v.scopes, hidden: v.hidden, csrf: cookie, error, username: p.get('username') ?? '' }));
        return;
      }
      const code = randomBytes(32).toString('base64url');
      const now = ctx.now();
      const holder = { subject: user.subject, roles: user.roles, username: user.username, groups: user.groups, authTime: Math.floor(now / 1000), ...(user.displayName === undefined ? {} : { displayName: user.displayName }), ...(user.email === undefined ? {} : { email: user.email }) };
      const nonce = p.get('nonce');
      const grant: CodeGrant = { redirectUri: v.redirectUri, codeChallenge: p.get('code_challenge') ?? '', scopes: v.scopes, audience: v.audience, holder, ...(nonce === undefined ? {} : { nonce }) };
      await insertOAuthCode(ctx.store, { code_sha256: sha256Hex(code), client_id: v.client.id, data: JSON.stringify(grant), family_id: randomUUID(), created_at: now, expires_at: now + ctx.lifetimes.codeSeconds * 1000, used_at: null });
      redirectWith(res, ctx, v.redirectUri, { code, state: p.get('state') });
    });
}
