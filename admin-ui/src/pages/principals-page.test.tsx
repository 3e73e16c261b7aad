import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../testing/fake-admin-api';
import { errorBeside, inTurn, networkCut, serverError } from '../testing/form-checks';
import { renderConsole } from '../testing/render-page';
import openapi from '../api/openapi.json';
import { PRINCIPAL_ID_PATTERN } from './principals-page';

const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, SESSION),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/principals': () => json(200, { items: [], nextCursor: null }),
};

async function open() {
  renderConsole('/principals');
  const form = await screen.findByRole('form', { name: 'Create a principal' }, { timeout: 8000 });
  const field = (label: string) => within(form).getByLabelText(label) as HTMLInputElement;
  return { form, field, submit: () => userEvent.click(within(form).getByRole('button', { name: 'Create principal' })) };
}

describe('create principal form', () => {
  it.each([
    ['an empty id', { Id: '', 'Display name': 'Alice' }, 'Id', /Use 1-256 of letters/],
    ['an id with a space', { Id: 'alice smith', 'Display name': 'Alice' }, 'Id', /Use 1-256 of letters/],
    ['an id starting with a dot', { Id: '.alice', 'Display name': 'Alice' }, 'Id', /Use 1-256 of letters/],
    ['an empty display name', { Id: 'alice', 'Display name': '' }, 'Display name', /Enter a display name/],
    ['a display name over 200 characters', { Id: 'alice', 'Display name': 'A'.repeat(201) }, 'Display name', /at most 200/],
    ['a role name with a slash', { Id: 'alice', 'Display name': 'Alice', 'Roles (separated by spaces or commas)': 'viewer ops/admin' }, 'Roles (separated by spaces or commas)', /"ops\/admin" is not a role name/],
  ])('%s is refused beside its field, sending nothing', async (_n, values, field, message) => {
    const calls = fakeAdminApi(base);
    const f = await open();
    for (const [label, v] of Object.entries(values)) if (v) await userEvent.type(f.field(label), v);
    await f.submit();
    expect(errorBeside(f.field(field))).toMatch(message);
    expect(f.field(field).getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field errors beside the field", async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/principals': () => apiError(409, 'ADMIN_CONFLICT', 'exists', [{ path: 'body.id', message: 'principal "alice" already exists' }]) });
    const f = await open();
    await userEvent.type(f.field('Id'), 'alice');
    await userEvent.type(f.field('Display name'), 'Alice');
    await f.submit();
    await waitFor(() => expect(errorBeside(f.field('Id'))).toBe('principal "alice" already exists'));
    expect(errorBeside(f.field('Display name'))).toBeUndefined();
  });

  it('a 500 and a network cut keep every edit and offer Retry', async () => {
    const calls = fakeAdminApi({ ...base, 'POST /api/v1/principals': inTurn(serverError, networkCut, () => json(201, { id: 'alice' })) });
    const f = await open();
    await userEvent.type(f.field('Id'), 'alice');
    await userEvent.type(f.field('Display name'), 'Alice');
    await userEvent.type(f.field('Roles (separated by spaces or commas)'), 'viewer, operator');
    await f.submit();
    expect((await within(f.form).findByRole('alert')).textContent).toMatch(/request req-test-1/);
    await userEvent.click(within(f.form).getByRole('button', { name: 'Retry' }));
    await within(f.form).findByText(/cannot be reached/);
    expect([f.field('Id').value, f.field('Display name').value, f.field('Roles (separated by spaces or commas)').value]).toEqual(['alice', 'Alice', 'viewer, operator']);
    await userEvent.click(within(f.form).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(f.field('Id').value).toBe(''));
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ id: 'alice', kind: 'user', displayName: 'Alice', roles: ['viewer', 'operator'] });
  });
});

describe('the principal id rule', () => {
  it('is the pattern the API publishes for POST /api/v1/principals', () => {
    const body = (openapi.paths as unknown as Record<string, Record<string, { requestBody: { content: Record<string, { schema: { properties: Record<string, { pattern?: string }> } }> } }>>)['/api/v1/principals']!.post!
      .requestBody.content['application/json']!.schema.properties;
    expect(body.id!.pattern).toBe(PRINCIPAL_ID_PATTERN);
  });
});
