import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION } from '../testing/fake-admin-api';
import { errorBeside, inTurn, networkCut, serverError } from '../testing/form-checks';
import { renderConsole } from '../testing/render-page';

const signedOut = { 'GET /api/v1/session': () => apiError(401, 'UNAUTHENTICATED', 'sign in'), 'GET /api/v1/sso/providers': () => json(200, { items: [] }) };

describe('sign-in form', () => {
  it('an empty username or password gets a message beside the field, and nothing is sent', async () => {
    const calls = fakeAdminApi(signedOut);
    renderConsole('/sign-in');
    await userEvent.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(errorBeside(screen.getByLabelText('Username'))).toBe('Enter your username');
    expect(errorBeside(screen.getByLabelText('Password'))).toBe('Enter your password');
    await userEvent.type(screen.getByLabelText('Username'), 'sam');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(errorBeside(screen.getByLabelText('Username'))).toBeUndefined();
    expect(errorBeside(screen.getByLabelText('Password'))).toBe('Enter your password');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('wrong credentials say so without a retry; the username stays', async () => {
    fakeAdminApi({ ...signedOut, 'POST /api/v1/session': () => apiError(401, 'UNAUTHENTICATED', 'bad credentials') });
    renderConsole('/sign-in');
    await userEvent.type(await screen.findByLabelText('Username'), 'sam');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('sam');
  });

  it('a 500 and a network cut keep what was typed and offer Retry, which signs in', async () => {
    fakeAdminApi({ ...signedOut, 'POST /api/v1/session': inTurn(serverError, networkCut, () => json(200, SESSION)) });
    const { router } = renderConsole('/sign-in?next=%2Fprincipals');
    await userEvent.type(await screen.findByLabelText('Username'), 'sam');
    await userEvent.type(screen.getByLabelText('Password'), 'secret');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/report the request id \(request req-test-1\)/);
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect((await screen.findByText(/cannot be reached/)).textContent).toMatch(/retry/);
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('sam');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('secret');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/principals'));
  });
});
