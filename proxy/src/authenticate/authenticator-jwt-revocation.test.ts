import { describe, it, expect, beforeAll } from 'vitest';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { Authentication } from '@agentcore/policies';
import { createAuthenticationStage } from './authentication.js';

const ISS = 'https://control-plane.example';
const nowS = () => Math.floor(Date.now() / 1000);
let key: CryptoKey;
let jwk: JWK;

const sign = (jti: string, typ = 'at+jwt'): Promise<string> =>
  new SignJWT({ iss: ISS, aud: 'agents', sub: 'c1', jti, client_id: 'c1', roles: ['viewer'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ })
    .setIssuedAt()
    .setExpirationTime(nowS() + 300)
    .sign(key);

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
});

describe('control-plane tokens at the sidecar', () => {
  it('refuses a revoked jti and a token without typ at+jwt; accepts the others', async () => {
    const auth = Authentication.parse({
      jwt: [{ id: 'cp', issuer: ISS, audiences: ['agents'], jwks: { keys: [jwk] }, algorithms: ['ES256'], tokenType: 'at+jwt' }],
      revokedTokens: [{ jti: 'revoked-1', exp: nowS() + 300 }],
    });
    const stage = await createAuthenticationStage(auth);
    const check = async (token: string) => stage.authenticate({ authorization: `Bearer ${token}` }, undefined, Date.now());
    expect(await check(await sign('fine-1'))).toMatchObject({ ok: true, principal: { id: 'c1', roles: ['viewer'] } });
    expect(await check(await sign('revoked-1'))).toMatchObject({ ok: false, reason: 'TOKEN_REVOKED', status: 401 });
    expect(await check(await sign('fine-2', 'JWT'))).toMatchObject({ ok: false, reason: 'INVALID_TOKEN' });
    stage.close();
  });
});
