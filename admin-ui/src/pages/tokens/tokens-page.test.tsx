import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';
import { checkTokenForm } from './token-form-schema';

const token = (id: string, name: string, expiresAt: string | null = '2099-01-01T00:00:00.000Z') => ({ id, name, prefix: 'agc_pat_Xk3q', createdAt: '2030-01-01T00:00:00.000Z', expiresAt, lastUsedAt: null });
const base = (tokens: () => unknown[]): Record<string, Handler> => ({
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'auditor' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/tokens': () => json(200, { items: tokens() }),
});
const describedBy = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

describe('token form check', () => {
  it.each([
    ['', '90', 'name', 'Say what the token is for'],
    ['   ', '90', 'name', 'Say what the token is for'],
    ['x'.repeat(101), '90', 'name', 'At most 100 characters'],
    ['ci', '', 'expiresInDays', 'Enter a number of days'],
    ['ci', '0', 'expiresInDays', 'Between 1 and 365 days'],
    ['ci', '366', 'expiresInDays', 'Between 1 and 365 days'],
    ['ci', '1.5', 'expiresInDays', 'Enter a whole number of days'],
    ['ci', 'soon', 'expiresInDays', 'Enter a whole number of days'],
  ])('name %j, days %j: %s says %s', (name, expiresInDays, field, message) => {
    const r = checkTokenForm({ name, expiresInDays });
    expect(r.body).toBeUndefined();
    expect((r.errors as Record<string, string>)[field]).toContain(message);
  });

  it('trims the name and sends whole days', () => {
    expect(checkTokenForm({ name: ' ci deploy ', expiresInDays: '30' }).body).toEqual({ name: 'ci deploy', expiresInDays: 30 });
  });
});

describe('access tokens page', () => {
  it('lists my tokens (any admin role); invalid values get their message beside the field and nothing is sent', async () => {
    const calls = fakeAdminApi(base(() => [token('pat_0123456789abcdef', 'prometheus'), token('pat_1123456789abcdef', 'old', '2020-01-01T00:00:00.000Z')]));
    renderConsole('/tokens');
    const form = await screen.findByRole('form', { name: 'Create an access token' }, { timeout: 8000 });
    expect(await screen.findByText('prometheus')).toBeTruthy();
    expect(screen.getByText('old').closest('tr')!.textContent).toContain('expired');
    const days = within(form).getByLabelText('Expires in (days)');
    await userEvent.clear(days);
    await userEvent.type(days, '400');
    await userEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    expect(describedBy(within(form).getByLabelText('Name'))).toContain('Say what the token is for');
    expect(describedBy(days)).toContain('Between 1 and 365 days');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it("shows the API's field errors beside the field; a 500 and a network cut keep the edits; Retry shows the secret once", async () => {
    let answer: 'fields' | 'fail' | 'cut' | 'ok' = 'fields';
    const tokens: unknown[] = [];
    const calls = fakeAdminApi({
      ...base(() => tokens),
      'POST /api/v1/tokens': () => {
        if (answer === 'fields') return apiError(400, 'ADMIN_INPUT_INVALID', 'invalid body', [{ path: 'body.expiresInDays', message: 'Too big: expected number to be <=365' }]);
        if (answer === 'fail') return apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');
        if (answer === 'cut') throw new TypeError('Failed to fetch');
        tokens.push(token('pat_2123456789abcdef', 'ci deploy'));
        return json(201, { ...token('pat_2123456789abcdef', 'ci deploy'), token: 'agc_pat_secret_once' });
      },
    });
    renderConsole('/tokens');
    const form = await screen.findByRole('form', { name: 'Create an access token' }, { timeout: 8000 });
    await userEvent.type(within(form).getByLabelText('Name'), 'ci deploy');
    const days = within(form).getByLabelText('Expires in (days)');
    await userEvent.clear(days);
    await userEvent.type(days, '30');
    await userEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(describedBy(days)).toContain('expected number to be <=365'));
    answer = 'fail';
    await userEvent.click(within(form).getByRole('button', { name: 'Create token' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('(request req-test-1)'));
    answer = 'cut';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('cannot be reached'));
    expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('ci deploy');
    expect((days as HTMLInputElement).value).toBe('30');
    answer = 'ok';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    expect((await screen.findByTestId('secret-value')).textContent).toBe('agc_pat_secret_once');
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ name: 'ci deploy', expiresInDays: 30 });
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByTestId('secret-value')).toBeNull();
    expect(screen.queryByText('agc_pat_secret_once')).toBeNull();
  });

  it('revoke asks first, then deletes the token', async () => {
    const calls = fakeAdminApi({ ...base(() => [token('pat_0123456789abcdef', 'prometheus')]), 'DELETE /api/v1/tokens/pat_0123456789abcdef': () => json(204, null) });
    renderConsole('/tokens');
    await userEvent.click(await screen.findByRole('button', { name: 'Revoke token prometheus' }, { timeout: 8000 }));
    const dialog = await screen.findByRole('alertdialog');
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Revoke token' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
  });
});
