import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION } from '../testing/fake-admin-api';
import { renderConsole } from '../testing/render-page';

describe('session expiry', () => {
  it('a 401 mid-session sends you to sign-in, then back to the page you were on', async () => {
    let signedIn = true;
    const calls = fakeAdminApi({
      'GET /api/v1/session': () => (signedIn ? json(200, SESSION) : apiError(401, 'UNAUTHENTICATED', 'not signed in')),
      'POST /api/v1/session': () => {
        signedIn = true;
        return json(200, { ...SESSION, csrfToken: 'csrf-2' });
      },
      'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
      'GET /api/v1/services/agents/sidecars': () => json(200, { items: [] }),
      'GET /api/v1/sidecars': () => {
        if (signedIn) {
          signedIn = false; // the session ends while the page is open
          return apiError(401, 'UNAUTHENTICATED', 'session expired');
        }
        return json(200, { items: [] });
      },
    });
    const { router } = renderConsole('/services/agents/fleet?tab=1');
    await screen.findByText('Your session ended. Sign in again to continue where you were.', undefined, { timeout: 8000 });
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe('/services/agents/fleet?tab=1');
    await userEvent.type(screen.getByLabelText('Username'), 'sam');
    await userEvent.type(screen.getByLabelText('Password'), 'a long password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Fleet of agents' }, { timeout: 8000 });
    expect(router.state.location.pathname + router.state.location.search).toBe('/services/agents/fleet?tab=1');
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ username: 'sam', password: 'a long password' });
  });

  it('a wrong password says so without saying which part was wrong', async () => {
    fakeAdminApi({
      'GET /api/v1/session': () => apiError(401, 'UNAUTHENTICATED', 'not signed in'),
      'POST /api/v1/session': () => apiError(401, 'UNAUTHENTICATED', 'invalid username or password'),
    });
    renderConsole('/');
    await userEvent.type(await screen.findByLabelText('Username', undefined, { timeout: 8000 }), 'sam');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Wrong username or password.'));
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('sam');
  });
});
