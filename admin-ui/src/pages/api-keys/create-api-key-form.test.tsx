import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';

const role = (name: string) => ({ service: 'agents', id: name, definition: { name, permissions: [], inherits: [] }, createdAt: '', updatedAt: '', version: 1 });
const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, SESSION),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/roles': () => json(200, { items: [role('viewer'), role('operator')], nextCursor: null }),
  'GET /api/v1/services/agents/api-keys': () => json(200, { items: [], nextCursor: null }),
};

async function openForm() {
  renderConsole('/services/agents/api-keys');
  const form = await screen.findByRole('form', { name: 'Create an API key' }, { timeout: 8000 });
  await within(form).findByText('operator');
  return form;
}

describe('create API key form', () => {
  it('refuses invalid values with a message beside the field, sending nothing', async () => {
    const calls = fakeAdminApi(base);
    const form = await openForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(within(form).getByText('Enter the principal the key acts as')).toBeTruthy();
    await userEvent.click(within(form).getByLabelText('Principal'));
    await userEvent.paste('x'.repeat(257));
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(within(form).getByLabelText('Principal').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field-path error beside the field and keeps what was typed", async () => {
    fakeAdminApi({ ...base, 'POST /api/v1/services/agents/api-keys': () => apiError(400, 'INVALID_REQUEST', 'invalid body', [{ path: 'body.principal', message: 'unknown principal "ghost"' }]) });
    const form = await openForm();
    await userEvent.type(within(form).getByLabelText('Principal'), 'ghost');
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(await within(form).findByText('unknown principal "ghost"')).toBeTruthy();
    expect((within(form).getByLabelText('Principal') as HTMLInputElement).value).toBe('ghost');
  });

  it('a 500 or a network cut says so and keeps the edits; the retry succeeds and shows the secret once', async () => {
    let answer: 'fail' | 'cut' | 'ok' = 'fail';
    const calls = fakeAdminApi({
      ...base,
      'POST /api/v1/services/agents/api-keys': () => {
        if (answer === 'fail') return apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');
        if (answer === 'cut') throw new TypeError('Failed to fetch');
        return json(201, { id: 'k1', secret: 'ak_secret_once', principal: 'svc-a', roles: ['viewer'] });
      },
    });
    const form = await openForm();
    await userEvent.type(within(form).getByLabelText('Principal'), 'svc-a');
    await userEvent.click(within(form).getByText('viewer'));
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('report the request id (request req-test-1)');
    answer = 'cut';
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('cannot be reached'));
    expect((within(form).getByLabelText('Principal') as HTMLInputElement).value).toBe('svc-a');
    answer = 'ok';
    await userEvent.click(within(form).getByRole('button', { name: 'Create key' }));
    expect((await screen.findByTestId('secret-value')).textContent).toBe('ak_secret_once');
    const post = calls.filter((c) => c.method === 'POST').at(-1)!;
    expect(post.body).toEqual({ principal: 'svc-a', roles: ['viewer'], scopes: [] });
    expect(post.headers.get('x-csrf-token')).toBe('csrf-1');
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('secret-value')).toBeNull();
  });
});
