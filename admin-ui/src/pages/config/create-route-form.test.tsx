import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { errorBeside, inTurn, networkCut, serverError } from '../../testing/form-checks';
import { renderConsole } from '../../testing/render-page';

const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'platform-engineer' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/routes': () => json(200, { items: [], nextCursor: null }),
  'GET /api/v1/services/agents/upstreams': () => json(200, { items: [], nextCursor: null }),
};

async function open() {
  renderConsole('/services/agents/config');
  const form = await screen.findByRole('form', { name: 'Create a route' }, { timeout: 8000 });
  const field = (label: string) => within(form).getByLabelText(label) as HTMLInputElement;
  const set = async (label: string, v: string) => {
    await userEvent.clear(field(label));
    if (v) await userEvent.type(field(label), v.replace(/[{[]/g, (c) => c + c));
  };
  return { form, field, set, submit: () => userEvent.click(within(form).getByRole('button', { name: 'Create route' })) };
}

describe('create route form', () => {
  it.each([
    ['an empty id', 'Route id', '', /must be 1-64 characters/],
    ['an id with spaces', 'Route id', 'my route', /must be 1-64 characters/],
    ['a path not starting with /', 'Path', 'api/v1/items', /must start with "\/"/],
    ['a template with an unclosed brace', 'Path', '/api/v1/items/{id', /must be a whole segment/],
    ['a permission that is not resource:action', 'Permissions (separated by spaces or commas)', 'items:read Items-Write', /"Items-Write" must be "resource:action"/],
  ])('%s is refused beside its field, sending nothing', async (_n, label, value, message) => {
    const calls = fakeAdminApi(base);
    const f = await open();
    if (label !== 'Route id') await f.set('Route id', 'items-get');
    await f.set(label, value);
    await f.submit();
    expect(errorBeside(f.field(label))).toMatch(message);
    expect(f.field(label).getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field errors beside the field (match.path beside Path)", async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/services/agents/routes': () => apiError(409, 'ADMIN_CONFLICT', 'overlaps', [{ path: 'body.match.path', message: 'overlaps route "items-list"' }]) });
    const f = await open();
    await f.set('Route id', 'items-get');
    await f.submit();
    await waitFor(() => expect(errorBeside(f.field('Path'))).toBe('overlaps route "items-list"'));
    expect(within(f.form).queryByRole('alert')).toBeNull();
  });

  it('a 500 and a network cut keep every edit and offer Retry', async () => {
    const calls = fakeAdminApi({ ...base, 'POST /api/v1/services/agents/routes': inTurn(serverError, networkCut, () => json(201, { id: 'items-get' })) });
    const f = await open();
    await f.set('Route id', 'items-get');
    await f.set('Permissions (separated by spaces or commas)', 'items:read');
    await f.submit();
    expect((await within(f.form).findByRole('alert')).textContent).toMatch(/request req-test-1/);
    await userEvent.click(within(f.form).getByRole('button', { name: 'Retry' }));
    await within(f.form).findByText(/cannot be reached/);
    expect([f.field('Route id').value, f.field('Path').value, f.field('Permissions (separated by spaces or commas)').value]).toEqual(['items-get', '/api/v1/items/{id}', 'items:read']);
    await userEvent.click(within(f.form).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(f.field('Route id').value).toBe(''));
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ id: 'items-get', match: { methods: ['GET'], path: '/api/v1/items/{id}', kind: 'template' }, permissions: ['items:read'] });
  });
});
