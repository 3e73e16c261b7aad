import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeAdminApi, json, SESSION } from '../../testing/fake-admin-api';
import { errorBeside } from '../../testing/form-checks';
import { renderConsole } from '../../testing/render-page';

const viewer = { service: 'agents', id: 'viewer', definition: { name: 'viewer', permissions: ['agents:read'], inherits: [] }, createdAt: '', updatedAt: '', version: 1 };

describe('roles page: adding a permission row', () => {
  it.each([
    ['empty', ''],
    ['no action', 'agents'],
    ['spaces', 'agents: read'],
  ])('a permission that is %s is refused beside the field, keeping what was typed', async (_n, value) => {
    fakeAdminApi({
      'GET /api/v1/session': () => json(200, SESSION),
      'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
      'GET /api/v1/services/agents/routes': () => json(200, { items: [], nextCursor: null }),
      'GET /api/v1/services/agents/roles': () => json(200, { items: [viewer], nextCursor: null }),
    });
    renderConsole('/services/agents/roles');
    const form = await screen.findByRole('form', { name: 'Add a permission row' }, { timeout: 8000 });
    const input = within(form).getByLabelText('New permission') as HTMLInputElement;
    if (value) await userEvent.type(input, value);
    await userEvent.click(within(form).getByRole('button', { name: 'Add row' }));
    expect(errorBeside(input)).toBeTruthy();
    expect(input.value).toBe(value);
    expect(screen.queryAllByRole('checkbox', { name: `viewer grants ${value}` })).toHaveLength(0);
    await userEvent.clear(input);
    await userEvent.type(input, 'reports:read');
    await userEvent.click(within(form).getByRole('button', { name: 'Add row' }));
    expect(errorBeside(input)).toBeUndefined();
    expect(screen.getByRole('checkbox', { name: 'viewer grants reports:read' })).toBeTruthy();
  });
});
