import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../http/openapi.js';
import type { Store } from '../store/index.js';
import { identityProviderEndpoints } from './identity-provider-endpoints.js';
import { ssoEndpoints } from './sso-endpoints.js';

describe('identity endpoints in the OpenAPI document', () => {
  it('produce a document a standard validator accepts, without any secret in the response schema', async () => {
    const store = {} as Store;
    const eps = [...identityProviderEndpoints({ store, keyRing: undefined }), ...ssoEndpoints({ store, keyRing: undefined, publicUrl: () => 'http://x', sessionTtlMs: 60_000, secureCookies: false })];
    const doc = openApiDocument(eps, { version: '0.0.0' });
    const ours = { ...structuredClone(doc), components: { ...(doc.components as object), schemas: { ...((doc.components as { schemas?: object }).schemas ?? {}), Error: { type: 'object' } } } };
    const result = await validate(ours as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/identity-providers', '/api/v1/identity-providers/{id}', '/api/v1/identity-providers/{id}/test', '/api/v1/sso/{provider}/start', '/api/v1/sso/{provider}/callback']));
    expect(JSON.stringify((doc.components as { schemas: Record<string, unknown> }).schemas.IdentityProvider)).not.toMatch(/bindPassword|clientSecret/);
  });
});
