#!/usr/bin/env node
// DEMO ONLY. Generates the demo credentials of examples/demo.bundle.json: an ES256 key pair for the
// "demo-issuer" JWT issuer and two API keys. The private key and the key plaintexts go to DEMO-ONLY-*
// files (committed on purpose so the demo works out of the box: never use them in production); the
// bundle receives only the public JWK and the SHA-256 of each API key.
//
//   node policies/examples/generate-demo-keys.mjs            # refuses to overwrite existing keys
//   node policies/examples/generate-demo-keys.mjs --force    # rotates the demo keys
import { createHash, getRandomValues } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';

const here = (name) => new URL(name, import.meta.url);
const PRIVATE_KEY_FILE = here('DEMO-ONLY-jwt-private-key.jwk.json');
const CREDENTIALS_FILE = here('DEMO-ONLY-credentials.json');
const BUNDLE_FILE = here('demo.bundle.json');

const KID = 'demo-es256-1';
const ISSUER = 'https://auth.demo.agentcore.local';
const AUDIENCE = 'agentcore-api';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `agc_demo_` + 32 base62 characters, uniformly drawn (rejection sampling, no modulo bias). */
function randomApiKey() {
  let out = '';
  while (out.length < 32) {
    for (const byte of getRandomValues(new Uint8Array(64))) {
      if (byte < 248 && out.length < 32) out += BASE62[byte % 62];
    }
  }
  return `agc_demo_${out}`;
}

const sha256Hex = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
/** Two-space JSON with arrays of scalars kept on one line, so the bundle stays readable. */
const toJson = (value) =>
  JSON.stringify(value, null, 2).replace(/\[\n\s*([^[\]{}]*?)\n\s*\]/g, (_, items) => `[${items.split(/,\n\s*/).join(', ')}]`);
const writeJson = (url, value) => writeFileSync(url, toJson(value) + '\n');

const force = process.argv.includes('--force');
if (!force && (existsSync(PRIVATE_KEY_FILE) || existsSync(CREDENTIALS_FILE))) {
  console.error('Demo keys already exist; not overwriting them. Pass --force to rotate them (the bundle is updated too).');
  process.exit(1);
}

const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
const meta = { kid: KID, alg: 'ES256', use: 'sig' };
const publicJwk = { ...(await exportJWK(publicKey)), ...meta };
const privateJwk = { ...(await exportJWK(privateKey)), ...meta };
const apiKeys = { viewer: randomApiKey(), operator: randomApiKey() };

writeJson(PRIVATE_KEY_FILE, privateJwk);
writeJson(CREDENTIALS_FILE, {
  _warning: 'DEMO ONLY. These credentials are public (committed to the repository). Never use them outside the local demo.',
  apiKeys,
  principals: { viewer: 'svc-dashboard', operator: 'svc-ci' },
  jwt: { issuer: ISSUER, audience: AUDIENCE, kid: KID, privateKeyFile: 'DEMO-ONLY-jwt-private-key.jwk.json' },
});

// Put the public half into the demo bundle, if present: the issuer's JWKS and the API key hashes.
if (existsSync(BUNDLE_FILE)) {
  const bundle = JSON.parse(readFileSync(BUNDLE_FILE, 'utf8'));
  const issuer = bundle.authentication?.jwt?.find((j) => j.id === 'demo-issuer');
  if (issuer) issuer.jwks = { keys: [publicJwk] };
  for (const key of bundle.authentication?.apiKeys ?? []) {
    if (key.id === 'demo-viewer') key.sha256 = sha256Hex(apiKeys.viewer);
    if (key.id === 'demo-operator') key.sha256 = sha256Hex(apiKeys.operator);
  }
  writeJson(BUNDLE_FILE, bundle);
}

console.log(`Wrote ${PRIVATE_KEY_FILE.pathname} and ${CREDENTIALS_FILE.pathname} (DEMO ONLY).`);
