import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';

const stored = (permissions: string[], version: number) => ({ service: 'agents', id: 'viewer', definition: { name: 'viewer', permissions, inherits: [] }, createdAt: '', updatedAt: '', version });

describe('roles page: a save that hits 412', () => {
  it('shows the other change, keeps my edit, and re-applies it with the new version only when asked', async () => {
    let current = stored(['agents:read', 'workflows:read'], 1);
    const puts: { ifMatch: string | null; body: unknown }[] = [];
    fakeAdminApi({
      'GET /api/v1/session': () => json(200, SESSION),
      'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
      'GET /api/v1/services/agents/routes': () => json(200, { items: [], nextCursor: null }),
      'GET /api/v1/services/agents/roles': () => json(200, { items: [current], nextCursor: null }),
      'GET /api/v1/services/agents/roles/viewer': () => json(200, current, { etag: `"v${current.version}"` }),
      'PUT /api/v1/services/agents/roles/viewer': (req, body) => {
        puts.push({ ifMatch: req.headers.get('if-match'), body });
        if (req.headers.get('if-match') !== `"v${current.version}"`) return apiError(412, 'PRECONDITION_FAILED', 'role "viewer" is at version 2, not 1');
        current = stored((body as { permissions: string[] }).permissions, current.version + 1);
        return json(200, current, { etag: `"v${current.version}"` });
      },
    });
    renderConsole('/services/agents/roles');
    const box = await screen.findByRole('checkbox', { name: 'viewer grants agents:read' }, { timeout: 8000 });
    // Someone else saves first: they drop workflows:read.
    current = stored(['agents:read'], 2);
    await userEvent.click(box);
    await userEvent.click(screen.getByRole('button', { name: /^Save changes \(viewer\)/ }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText('Someone else changed role viewer')).toBeTruthy();
    const rows = within(dialog).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('permissions.0')]);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.ifMatch).toBe('"v1"');

    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog', { hidden: true })).toBeNull());
    // jsdom keeps react-aria's aria-hidden on the page after a modal closes (no animation events); the browser tests cover that.
    expect((screen.getByRole('checkbox', { name: 'viewer grants agents:read', hidden: true }) as HTMLInputElement).checked).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: /^Save changes \(viewer\)/, hidden: true }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Re-apply mine' }));
    await screen.findByRole('button', { name: 'Save changes', hidden: true });
    expect(puts.at(-1)).toEqual({ ifMatch: '"v2"', body: { name: 'viewer', permissions: ['workflows:read'], inherits: [] } });
    expect(current.definition.permissions).toEqual(['workflows:read']);
  });
});
