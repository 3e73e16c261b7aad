import { compileErrors, validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, startOAuthTestEnv, type OAuthTestEnv } from './test-oauth-admin.js';

describe('OAuth endpoints in the OpenAPI document', () => {
  let t: OAuthTestEnv;
  beforeAll(async () => {
    t = await startOAuthTestEnv();
  });
  afterAll(async () => t?.close());

  it('lists /oauth/*, the discovery documents and the admin resources; a validator accepts our paths', async () => {
    const doc = await jsonOf(await fetch(`${t.admin.url}/api/v1/openapi.json`));
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/oauth/token', '/oauth/revoke', '/oauth/introspect', '/oauth/authorize', '/oauth/userinfo', '/.well-known/jwks.json', '/.well-known/openid-configuration', '/api/v1/oauth-clients', '/api/v1/oauth-clients/{id}/rotate-secret', '/api/v1/oauth/signing-keys/rotate', '/api/v1/services/{service}/introspection-endpoints']));
    const ours = { ...doc, paths: Object.fromEntries(Object.entries(doc.paths).filter(([p]) => p.startsWith('/oauth') || p.startsWith('/.well-known') || p.includes('oauth') || p.includes('introspection'))) };
    const result = await validate(structuredClone(ours) as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    // The JSON body of the spec's Authentication Request is what try-it-out sends, and the endpoint takes it.
    expect(doc.paths['/oauth/token'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('grant_type');
  });
});
