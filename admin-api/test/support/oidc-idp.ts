/**
 * Test support: a real OpenID Provider (panva's oidc-provider) on 127.0.0.1:0 with a code+PKCE client,
 * interactions that sign in `nextUser` without a form, and a switch that re-signs the token
 * endpoint's ID token with a wrong `aud` or `nonce` (same key, valid signature) for negative tests.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** the account the next interaction signs in */
  nextUser: string;
  users: Record<string, { groups: string[]; email?: string }>;
  /** rewrite the next ID tokens: wrong audience or wrong nonce */
  tamper: 'none' | 'audience' | 'nonce';
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as AddressInfo).port;
}

/** Starts the IdP; `redirectUri` is the admin API's callback. */
export async function startTestIdp(redirectUri: string): Promise<TestIdp> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const signingKey = await importJWK(jwk, 'ES256');
  const server = createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const idp: TestIdp = { issuer, clientId: 'agentcore-console', clientSecret: 'console-secret-for-tests', nextUser: 'alice', users: {}, tamper: 'none', close: async () => undefined };

  const provider = new Provider(issuer, {
    clients: [{ client_id: idp.clientId, client_secret: idp.clientSecret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'], id_token_signed_response_alg: 'ES256' }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'groups'], email: ['email'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const u = idp.users[sub];
      if (!u) return undefined;
      return { accountId: sub, claims: async () => ({ sub, preferred_username: sub, name: sub, groups: u.groups, email: u.email }) };
    },
  });
  const handle = provider.callback();

  const interact = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(req, res, { login: { accountId: idp.nextUser } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: details.session?.accountId ?? idp.nextUser, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
  };

  /** Re-signs the ID token of a token response with a wrong aud or nonce (valid signature, same key). */
  const tamperToken = (res: ServerResponse): void => {
    const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
    res.end = ((chunk?: unknown) => {
      void (async () => {
        const body = JSON.parse(Buffer.from(chunk as Buffer).toString('utf8')) as { id_token?: string };
        if (body.id_token) {
          const claims = decodeJwt(body.id_token);
          const changed = idp.tamper === 'audience' ? { ...claims, aud: 'some-other-client' } : { ...claims, nonce: 'not-the-nonce-we-sent' };
          body.id_token = await new SignJWT(changed).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' }).sign(signingKey);
        }
        const out = Buffer.from(JSON.stringify(body));
        res.setHeader('content-length', out.length);
        end(out);
      })();
      return res;
    }) as typeof res.end;
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(req, res).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    if (idp.tamper !== 'none' && req.method === 'POST' && req.url === '/token') tamperToken(res);
    void handle(req, res);
  });
  idp.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return idp;
}
