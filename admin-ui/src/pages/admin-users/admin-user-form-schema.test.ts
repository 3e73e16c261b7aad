// The console's copy of the API's admin-user and token rules must equal what the API documents (its zod schemas
// are in admin-api/src, which the console may not import; the OpenAPI document is generated from them).
import { describe, expect, it } from 'vitest';
import openapi from '../../api/openapi.json';
import { EXPIRY_MAX_DAYS, EXPIRY_MIN_DAYS, NAME_MAX } from '../tokens/token-form-schema';
import { ADMIN_ROLE_OPTIONS, PASSWORD_MAX, PASSWORD_MIN, USERNAME_PATTERN, validateAdminUserForm } from './admin-user-form-schema';

interface Prop {
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  enum?: string[];
}
const bodyOf = (path: string, method: string) =>
  (openapi.paths as unknown as Record<string, Record<string, { requestBody: { content: { 'application/json': { schema: { properties: Record<string, Prop> } } } } }>>)[path]![method]!.requestBody.content['application/json'].schema.properties;

describe('the console checks new admin users and tokens by the API rules', () => {
  it('admin user: username pattern, password length, roles', () => {
    const b = bodyOf('/api/v1/admin-users', 'post');
    expect(b.username!.pattern).toBe(USERNAME_PATTERN);
    expect([b.password!.minLength, b.password!.maxLength]).toEqual([PASSWORD_MIN, PASSWORD_MAX]);
    expect([...ADMIN_ROLE_OPTIONS.map((o) => o.id)].sort()).toEqual([...b.role!.enum!].sort());
  });

  it('personal access token: name length, expiry days', () => {
    const b = bodyOf('/api/v1/tokens', 'post');
    expect(b.name!.maxLength).toBe(NAME_MAX);
    expect([b.expiresInDays!.minimum, b.expiresInDays!.maximum]).toEqual([EXPIRY_MIN_DAYS, EXPIRY_MAX_DAYS]);
  });

  it.each([
    ['alice', 'twelve chars', {}],
    ['a'.repeat(64), 'x'.repeat(1024), {}],
    ['a'.repeat(65), 'x'.repeat(12), { username: expect.any(String) }],
    ['al ice', 'x'.repeat(11), { username: expect.any(String), password: expect.any(String) }],
  ])('%j / password of %#: %j', (username, password, errors) => {
    expect(validateAdminUserForm({ username, password, role: 'auditor' })).toEqual(errors);
  });
});
