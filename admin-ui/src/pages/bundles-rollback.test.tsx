import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeAdminApi, json, SESSION, type Handler } from '../testing/fake-admin-api';
import { inTurn, networkCut, serverError } from '../testing/form-checks';
import { renderConsole } from '../testing/render-page';

const rev = (revision: number) => ({ revision, hash: `hash${revision}`.padEnd(16, '0'), createdAt: '2030-01-01T00:00:00Z', createdBy: 'plat-eng' });
const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'platform-engineer' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/revisions': () => json(200, { items: [rev(2), rev(1)], nextCursor: null }),
  'GET /api/v1/services/agents/revisions/1/diff/2': () => json(200, { from: 1, to: 2, changes: [{ op: 'changed', path: 'roles.viewer.permissions', before: ['a:read'], after: [] }] }),
  'GET /api/v1/services/agents/revisions/2/diff/1': () => json(200, { from: 2, to: 1, changes: [{ op: 'changed', path: 'roles.viewer.permissions', before: [], after: ['a:read'] }] }),
  'GET /api/v1/sidecars': () => json(200, { items: [] }),
};

const rollbackPosts = (calls: { method: string; path: string }[]) => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/rollback'));

describe('bundles: rollback confirmation', () => {
  it('shows the diff it will apply; Cancel publishes nothing', async () => {
    const calls = fakeAdminApi(base);
    renderConsole('/services/agents/bundles');
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to revision 1' }, { timeout: 8000 }));
    const dialog = await screen.findByRole('alertdialog');
    await within(dialog).findByRole('table', { name: /changes from revision 2 to 1/ });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(rollbackPosts(calls)).toHaveLength(0);
  });

  it('a 500 and a network cut say so and offer Retry, which rolls back to the same revision', async () => {
    const calls = fakeAdminApi({ ...base, 'POST /api/v1/services/agents/revisions/1/rollback': inTurn(serverError, networkCut, () => json(201, rev(3))) });
    renderConsole('/services/agents/bundles');
    await userEvent.click(await screen.findByRole('button', { name: 'Roll back to revision 1' }, { timeout: 8000 }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Publish revision 1 again' }));
    expect((await screen.findByText(/report the request id/, {}, { timeout: 5000 })).textContent).toMatch(/request req-test-1/);
    await userEvent.click(screen.getByRole('button', { name: 'Retry', hidden: true }));
    await screen.findByText(/cannot be reached/);
    await userEvent.click(screen.getByRole('button', { name: 'Retry', hidden: true }));
    expect(await screen.findByText('Rolled back: published as revision 3.')).toBeTruthy();
    expect(rollbackPosts(calls).map((c) => c.path)).toEqual(Array(3).fill('/api/v1/services/agents/revisions/1/rollback'));
  });
});
