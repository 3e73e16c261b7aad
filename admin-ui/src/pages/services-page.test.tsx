import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../testing/fake-admin-api';
import { errorBeside, inTurn, networkCut, serverError } from '../testing/form-checks';
import { renderConsole } from '../testing/render-page';

const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'platform-engineer' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/sidecar-credentials': () => json(200, { items: [{ id: 'sc1', service: 'agents', name: 'prod', createdAt: '', revokedAt: null, lastUsedAt: null }], nextCursor: null }),
};

async function open() {
  renderConsole('/');
  return screen.findByRole('form', { name: 'Create a service' }, { timeout: 8000 });
}

describe('create service form', () => {
  it.each([
    ['empty', ''],
    ['upper case and spaces', 'My Service'],
    ['too long', 'a'.repeat(80)],
  ])('refuses a name that is %s beside the field, sending nothing', async (_n, name) => {
    const calls = fakeAdminApi(base);
    const form = await open();
    const input = within(form).getByLabelText('New service name');
    if (name) await userEvent.type(input, name);
    await userEvent.click(within(form).getByRole('button', { name: 'Create service' }));
    expect(errorBeside(input)).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field error beside the name", async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/services': () => apiError(409, 'ADMIN_CONFLICT', 'exists', [{ path: 'body.name', message: 'a service "agents" already exists' }]) });
    const form = await open();
    const input = within(form).getByLabelText('New service name');
    await userEvent.type(input, 'agents');
    await userEvent.click(within(form).getByRole('button', { name: 'Create service' }));
    await waitFor(() => expect(errorBeside(input)).toBe('a service "agents" already exists'));
  });

  it('a 500 and a network cut keep the name and offer Retry', async () => {
    const calls = fakeAdminApi({ ...base, 'POST /api/v1/services': inTurn(serverError, networkCut, () => json(201, { name: 'orders' })) });
    const form = await open();
    const input = within(form).getByLabelText('New service name') as HTMLInputElement;
    await userEvent.type(input, 'orders');
    await userEvent.click(within(form).getByRole('button', { name: 'Create service' }));
    expect((await within(form).findByRole('alert')).textContent).toMatch(/request req-test-1/);
    await userEvent.click(within(form).getByRole('button', { name: 'Retry' }));
    expect((await within(form).findByText(/cannot be reached/)).textContent).toBeTruthy();
    expect(input.value).toBe('orders');
    await userEvent.click(within(form).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(input.value).toBe(''));
    expect(calls.filter((c) => c.method === 'POST').map((c) => c.body)).toEqual([{ name: 'orders' }, { name: 'orders' }, { name: 'orders' }]);
  });
});

describe('sidecar credential form', () => {
  const form = () => screen.findByRole('form', { name: 'New sidecar credential for agents' }, { timeout: 8000 });

  it.each([
    ['empty', '', /Enter a name/],
    ['only spaces', '   ', /Enter a name/],
    ['too long', 'x'.repeat(129), /At most 128/],
  ])('refuses a name that is %s beside the field', async (_n, name, message) => {
    const calls = fakeAdminApi(base);
    renderConsole('/');
    const f = await form();
    const input = within(f).getByLabelText('Credential name');
    if (name) await userEvent.type(input, name);
    await userEvent.click(within(f).getByRole('button', { name: 'Create credential' }));
    expect(errorBeside(input)).toMatch(message);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field error beside the name", async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/services/agents/sidecar-credentials': () => apiError(400, 'INVALID_REQUEST', 'invalid body', [{ path: 'body.name', message: 'must not contain control characters' }]) });
    renderConsole('/');
    const f = await form();
    const input = within(f).getByLabelText('Credential name');
    await userEvent.type(input, 'prod-2');
    await userEvent.click(within(f).getByRole('button', { name: 'Create credential' }));
    await waitFor(() => expect(errorBeside(input)).toBe('must not contain control characters'));
  });

  it('a 500 and a network cut keep the name and offer Retry; the token is then shown once', async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/services/agents/sidecar-credentials': inTurn(serverError, networkCut, () => json(201, { id: 'sc2', name: 'prod-2', token: 'sct_once' })) });
    renderConsole('/');
    const f = await form();
    const input = within(f).getByLabelText('Credential name') as HTMLInputElement;
    await userEvent.type(input, 'prod-2');
    await userEvent.click(within(f).getByRole('button', { name: 'Create credential' }));
    expect((await within(f).findByRole('alert')).textContent).toMatch(/request req-test-1/);
    await userEvent.click(within(f).getByRole('button', { name: 'Retry' }));
    await within(f).findByText(/cannot be reached/);
    expect(input.value).toBe('prod-2');
    await userEvent.click(within(f).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('sct_once')).toBeTruthy();
  });
});
