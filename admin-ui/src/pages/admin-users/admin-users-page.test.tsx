import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';

const OWNER = { ...SESSION, username: 'olive', role: 'owner' };
const user = (username: string, role: string, version = 1, disabled = false) => ({ username, role, disabled, createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z', version });
const base = (users: () => unknown[]): Record<string, Handler> => ({
  'GET /api/v1/session': () => json(200, OWNER),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/admin-users': () => json(200, { items: users() }),
});
const describedBy = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

async function openForm() {
  renderConsole('/admin-users');
  return screen.findByRole('form', { name: 'Create an admin user' }, { timeout: 8000 });
}

describe('admin users page', () => {
  it.each([
    ['', 'short', 'Enter a username', 'At least 12 characters (5 now)'],
    ['Alice', 'x'.repeat(12), 'Use lower-case letters', undefined],
    ['-alice', 'x'.repeat(1025), 'starting with a letter or digit', 'At most 1024 characters'],
  ])('username %j / a password: each invalid value gets its message beside the field, nothing is sent', async (username, password, userMsg, passMsg) => {
    const calls = fakeAdminApi(base(() => []));
    const form = await openForm();
    if (username) await userEvent.type(within(form).getByLabelText('Username'), username);
    await userEvent.click(within(form).getByLabelText('Password'));
    await userEvent.paste(password);
    await userEvent.click(within(form).getByRole('button', { name: 'Create admin user' }));
    expect(describedBy(within(form).getByLabelText('Username'))).toContain(userMsg);
    if (passMsg) expect(describedBy(within(form).getByLabelText('Password'))).toContain(passMsg);
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('shows a taken username and API field errors beside the field; a 500 and a network cut keep the edits; Retry creates', async () => {
    let answer: 'taken' | 'fields' | 'fail' | 'cut' | 'ok' = 'taken';
    const users = [user('olive', 'owner')];
    const calls = fakeAdminApi({
      ...base(() => users),
      'POST /api/v1/admin-users': (_req, body) => {
        if (answer === 'taken') return apiError(409, 'ADMIN_USER_EXISTS', 'admin user "sam" already exists');
        if (answer === 'fields') return apiError(400, 'ADMIN_INPUT_INVALID', 'invalid body', [{ path: 'body.password', message: 'at least 12 characters' }]);
        if (answer === 'fail') return apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');
        if (answer === 'cut') throw new TypeError('Failed to fetch');
        const b = body as { username: string; role: string };
        users.push(user(b.username, b.role));
        return json(201, users.at(-1));
      },
    });
    const form = await openForm();
    await userEvent.type(within(form).getByLabelText('Username'), 'sam');
    await userEvent.type(within(form).getByLabelText('Password'), 'a long passphrase');
    await userEvent.click(within(form).getByRole('button', { name: 'Create admin user' }));
    await waitFor(() => expect(describedBy(within(form).getByLabelText('Username'))).toContain('admin user "sam" already exists'));
    answer = 'fields';
    await userEvent.click(within(form).getByRole('button', { name: 'Create admin user' }));
    await waitFor(() => expect(describedBy(within(form).getByLabelText('Password'))).toContain('at least 12 characters'));
    answer = 'fail';
    await userEvent.click(within(form).getByRole('button', { name: 'Create admin user' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('(request req-test-1)'));
    answer = 'cut';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('cannot be reached'));
    expect((within(form).getByLabelText('Username') as HTMLInputElement).value).toBe('sam');
    expect((within(form).getByLabelText('Password') as HTMLInputElement).value).toBe('a long passphrase');
    answer = 'ok';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    expect((await screen.findByRole('status')).textContent).toContain('Admin user sam created');
    expect(calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({ username: 'sam', password: 'a long passphrase', role: 'security-admin' });
    await screen.findByRole('button', { name: 'Change role of sam' });
  });

  it('Generate fills in a password that meets the rules and shows it', async () => {
    fakeAdminApi(base(() => []));
    const form = await openForm();
    await userEvent.click(within(form).getByRole('button', { name: 'Generate' }));
    const input = within(form).getByLabelText('Password') as HTMLInputElement;
    expect(input.type).toBe('text');
    expect(input.value.length).toBeGreaterThanOrEqual(16);
  });

  it('a role change that hits 412 shows the stored user against my edit; re-apply sends the new ETag; a last-owner 409 is shown beside the role', async () => {
    let sam = user('sam', 'security-admin', 1);
    const patches: { ifMatch: string | null; body: unknown }[] = [];
    let refuse = false;
    fakeAdminApi({
      ...base(() => [user('olive', 'owner'), sam]),
      'PATCH /api/v1/admin-users/sam': (req, body) => {
        patches.push({ ifMatch: req.headers.get('if-match'), body });
        if (refuse) return apiError(409, 'ADMIN_LAST_OWNER', '"sam" is the last enabled owner; make another user owner first');
        if (req.headers.get('if-match') !== `"v${sam.version}"`) return apiError(412, 'PRECONDITION_FAILED', 'admin user "sam" is at version 2, not 1');
        sam = { ...sam, ...(body as object), version: sam.version + 1 };
        return json(200, sam);
      },
    });
    renderConsole('/admin-users');
    await userEvent.click(await screen.findByRole('button', { name: 'Change role of sam' }, { timeout: 8000 }));
    sam = user('sam', 'security-admin', 2, true); // someone else disabled sam meanwhile
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: /security admin/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'auditor' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    const conflict = await screen.findByRole('alertdialog');
    expect(within(conflict).getByText('Someone else changed admin user sam')).toBeTruthy();
    expect(within(conflict).getByRole('table').textContent).toContain('disabled');
    expect(patches).toEqual([{ ifMatch: '"v1"', body: { role: 'auditor' } }]);
    await userEvent.click(within(conflict).getByRole('button', { name: 'Re-apply mine' }));
    await waitFor(() => expect(sam.role).toBe('auditor'));
    expect(patches.at(-1)!.ifMatch).toBe('"v2"');

    refuse = true;
    await userEvent.click(await screen.findByRole('button', { name: 'Change role of sam', hidden: true }));
    const again = await screen.findByRole('dialog');
    await userEvent.click(within(again).getByRole('button', { name: /auditor/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'platform engineer' }));
    await userEvent.click(within(again).getByRole('button', { name: 'Save role' }));
    await within(again).findByText(/is the last enabled owner/);
  });

  it('disable and delete ask first and send If-Match', async () => {
    const calls = fakeAdminApi({
      ...base(() => [user('olive', 'owner'), user('sam', 'auditor', 3)]),
      'PATCH /api/v1/admin-users/sam': () => json(200, user('sam', 'auditor', 4, true)),
      'DELETE /api/v1/admin-users/sam': () => json(204, null),
    });
    renderConsole('/admin-users');
    await userEvent.click(await screen.findByRole('button', { name: 'Disable sam' }, { timeout: 8000 }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('sessions end now');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'PATCH')).toHaveLength(1));
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ disabled: true });
    expect(calls.find((c) => c.method === 'PATCH')!.headers.get('if-match')).toBe('"v3"');
    await userEvent.click(screen.getByRole('button', { name: 'Delete sam', hidden: true }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete admin user' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
  });

  it('a security admin finds no Admin users entry and the page only says who may manage them (no request is made)', async () => {
    const calls = fakeAdminApi({ ...base(() => []), 'GET /api/v1/session': () => json(200, SESSION) });
    renderConsole('/admin-users');
    expect(await screen.findByText(/Only an owner manages admin users/, {}, { timeout: 8000 })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin users' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Access tokens' })).toBeTruthy();
    expect(screen.queryByRole('form', { name: 'Create an admin user' })).toBeNull();
    expect(calls.filter((c) => c.path.startsWith('/api/v1/admin-users'))).toHaveLength(0);
  });
});

describe('change role: failures keep the choice', () => {
  it('a 500 and a network cut keep the picked role and offer Retry, which saves it', async () => {
    let answer: 'fail' | 'cut' | 'ok' = 'fail';
    const calls = fakeAdminApi({
      ...base(() => [user('olive', 'owner'), user('sam', 'auditor', 1)]),
      'PATCH /api/v1/admin-users/sam': () => {
        if (answer === 'fail') return apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');
        if (answer === 'cut') throw new TypeError('Failed to fetch');
        return json(200, user('sam', 'platform-engineer', 2));
      },
    });
    renderConsole('/admin-users');
    await userEvent.click(await screen.findByRole('button', { name: 'Change role of sam' }, { timeout: 8000 }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: /auditor/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'platform engineer' }));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save role' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('(request req-test-1)'));
    answer = 'cut';
    await userEvent.click(within(within(dialog).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('cannot be reached'));
    expect(within(dialog).getByRole('button', { name: /platform engineer/ })).toBeTruthy();
    answer = 'ok';
    await userEvent.click(within(within(dialog).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ role: 'platform-engineer' }, { role: 'platform-engineer' }, { role: 'platform-engineer' }]);
  });
});
