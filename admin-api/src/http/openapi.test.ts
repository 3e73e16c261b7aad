import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN_ERRORS } from '../admin-errors.js';
import { endpoint, type EndpointSpec } from './endpoint.js';
import { openApiDocument } from './openapi.js';

const probe = endpoint({
  method: 'get',
  path: '/api/v1/probe/{id}',
  operationId: 'probe',
  summary: 'probe',
  tags: ['t'],
  access: 'read',
  params: z.object({ id: z.string() }),
  responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) }, 404: { description: 'no such probe' } },
  handler: async () => ({ body: {} }),
}) as unknown as EndpointSpec<never, never, never>;

describe('openApiDocument error section', () => {
  const doc = openApiDocument([probe], { version: '0.0.0' }) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } } & Record<string, unknown>;
  const responses = doc.paths['/api/v1/probe/{id}']!.get!.responses;

  it('documents every error response with the spec error body', () => {
    expect(responses['404']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(responses.default!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(responses['200']!.content!['application/json']!.schema).not.toEqual({ $ref: '#/components/schemas/Error' });
    expect(Object.keys(doc.components.schemas.Error!.properties ?? {})).toEqual(['error']);
  });

  it('lists each ADMIN_* code of the table with its public code and status', () => {
    const list = doc['x-agentcore-errors'] as { code: string; public: string; status: number }[];
    expect(list.map((e) => e.code)).toEqual(Object.keys(ADMIN_ERRORS));
    expect(list.find((e) => e.code === 'ADMIN_STORE_PRECONDITION_FAILED')).toMatchObject({ public: 'PRECONDITION_FAILED', status: 412 });
  });
});
