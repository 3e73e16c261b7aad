import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../http/openapi.js';
import type { Store } from '../store/index.js';
import { resourceEndpoints } from './index.js';

describe('resourceEndpoints', () => {
  const endpoints = resourceEndpoints({ store: {} as Store, onPolicyChange: () => {} });

  it('declares unique operation ids and one endpoint per method and path', () => {
    const ids = endpoints.map((e) => e.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const routes = endpoints.map((e) => `${e.method} ${e.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('gives every create an example body, and generates the OpenAPI document', () => {
    for (const e of endpoints.filter((x) => x.method === 'post' && x.body)) expect(e.bodyExample, e.operationId).toBeDefined();
    const doc = openApiDocument(endpoints, { version: 'test' }) as { paths: Record<string, Record<string, { requestBody?: unknown; parameters: { name: string }[] }>> };
    expect(doc.paths['/api/v1/services/{service}/routes']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/services']?.get?.parameters.map((p) => p.name)).toEqual(['limit', 'cursor', 'sort', 'order', 'q']);
    expect(doc.paths['/api/v1/services/{service}/upstreams/{name}']?.put?.parameters.map((p) => p.name)).toEqual(['service', 'name']);
  });
});
