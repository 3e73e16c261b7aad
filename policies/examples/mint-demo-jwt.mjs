#!/usr/bin/env node
// DEMO ONLY. Prints a JWT signed with the demo issuer's private key, accepted by the demo bundle.
//
//   node policies/examples/mint-demo-jwt.mjs --sub alice --roles operator [--ttl 3600] [--scope "agents:read"]
//
// `--roles` is comma-separated (`viewer,operator`); the token carries them as the `roles` array
// claim and `--scope` as the space-separated `scope` claim, as the bundle's claim mapping expects.
// Tests may import `mintDemoJwt` instead of spawning this script.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT, importJWK } from 'jose';

const credentials = JSON.parse(readFileSync(new URL('DEMO-ONLY-credentials.json', import.meta.url), 'utf8'));
const privateJwk = JSON.parse(readFileSync(new URL('DEMO-ONLY-jwt-private-key.jwk.json', import.meta.url), 'utf8'));

/** Signs a demo token: `sub`, `roles` (array), optional `scope`, valid for `ttlSeconds` from `now` (seconds). */
export async function mintDemoJwt({ sub, roles = [], scope, ttlSeconds = 3600, now = Math.floor(Date.now() / 1000) }) {
  const key = await importJWK(privateJwk, 'ES256');
  const claims = { roles };
  if (scope !== undefined && scope !== '') claims.scope = scope;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: credentials.jwt.kid, typ: 'JWT' })
    .setIssuer(credentials.jwt.issuer)
    .setAudience(credentials.jwt.audience)
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(key);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      roles: { type: 'string', default: '' },
      ttl: { type: 'string', default: '3600' },
      scope: { type: 'string' },
    },
  });
  const ttlSeconds = Number(values.ttl);
  if (!values.sub || !Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    console.error('usage: mint-demo-jwt.mjs --sub <subject> [--roles viewer,operator] [--ttl seconds] [--scope "a b"]');
    process.exit(2);
  }
  const roles = values.roles.split(',').map((r) => r.trim()).filter(Boolean);
  console.log(await mintDemoJwt({ sub: values.sub, roles, scope: values.scope, ttlSeconds }));
}
