import demoBundle from '../../../policies/examples/demo.bundle.json';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeAdminApi, json, SESSION } from '../testing/fake-admin-api';
import { renderConsole } from '../testing/render-page';

type Bundle = typeof demoBundle;
/** Revision 2 is the demo; revision 3 drops the viewer's agents:read. */
const REV2 = demoBundle;
const REV3: Bundle = { ...demoBundle, revision: 3, roles: demoBundle.roles.map((r) => (r.name === 'viewer' ? { ...r, permissions: ['workflows:read'] } : r)) };
const revision = (n: number, content: unknown) => ({ revision: n, hash: `h${n}`, publishedAt: '2030-01-01T00:00:00Z', content });

const RECORDS = [
  { id: 1, at: '2030-01-01T00:00:00.000Z', service: 'agents', requestId: 'a', principal: 'svc-dashboard', apiKeyId: 'demo-viewer', routeId: 'agents-list', method: 'GET', path: '/api/v1/agents', status: 200, decision: 'allow', reason: 'GRANTED', client: '10.0.0.1', latencyMs: 1 },
  { id: 2, at: '2030-01-01T00:00:00.000Z', service: 'agents', requestId: 'b', principal: 'svc-dashboard', apiKeyId: 'demo-viewer', routeId: 'workflows-list', method: 'GET', path: '/api/v1/workflows', status: 200, decision: 'allow', reason: 'GRANTED', client: '10.0.0.1', latencyMs: 1 },
];

function fakeApi(session: object = SESSION) {
  return fakeAdminApi({
    'GET /api/v1/session': () => json(200, session),
    'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
    'GET /api/v1/services/agents/revisions': () => json(200, { items: [revision(3, undefined), revision(2, undefined)], nextCursor: null }),
    'GET /api/v1/services/agents/revisions/3': () => json(200, revision(3, REV3)),
    'GET /api/v1/services/agents/revisions/2': () => json(200, revision(2, REV2)),
    'GET /api/v1/principals': () => json(200, { items: [], nextCursor: null }),
    'GET /api/v1/access-logs': () => json(200, { items: RECORDS, nextCursor: null }),
  });
}

const flipRows = async () => {
  const table = await screen.findByRole('table', { name: 'Requests whose decision would change' }, { timeout: 5000 });
  return within(table).getAllByRole('row').slice(1).map((r) => r.textContent);
};

describe('simulator: impact of a change', () => {
  it('loads no access logs until asked, and tells a role without access-log reading that it cannot', async () => {
    const calls = fakeApi({ ...SESSION, role: 'platform-engineer' });
    renderConsole('/services/agents/simulator');
    await userEvent.click(await screen.findByRole('button', { name: 'Preview impact' }, { timeout: 5000 }));
    expect(await screen.findByText(/your admin role cannot read/)).toBeTruthy();
    expect(calls.filter((c) => c.path.startsWith('/api/v1/access-logs'))).toHaveLength(0);
  });

  it('compares the chosen revision with another one', async () => {
    fakeApi();
    renderConsole('/services/agents/simulator');
    await userEvent.click(await screen.findByRole('button', { name: 'Preview impact' }, { timeout: 5000 }));
    // revision 3 (newest) is chosen; the other defaults to revision 2, where the viewer still reads agents
    expect(await flipRows()).toEqual([expect.stringMatching(/GET \/api\/v1\/agents.*403 MISSING_PERMISSION.*forwarded \(GRANTED\).*denied→allowed/)]);
  });

  it('an edited copy: invalid JSON or an invalid bundle is shown beside the editor, the edit kept; a valid edit is previewed', async () => {
    fakeApi();
    renderConsole('/services/agents/simulator');
    await userEvent.click(await screen.findByRole('radio', { name: 'an edited copy of revision 3' }, { timeout: 5000 }));
    const editor = (await screen.findByRole('textbox', { name: 'Bundle of revision 3, edited (JSON)' })) as HTMLTextAreaElement;
    const preview = screen.getByRole('button', { name: 'Preview impact of the edit' });

    fireEvent.change(editor, { target: { value: '{"version": 1,' } });
    await userEvent.click(preview);
    expect(editor.getAttribute('aria-invalid')).toBe('true');
    const besideEditor = () => editor.closest('.react-aria-TextField')!.querySelector('.field-error')?.textContent;
    expect(besideEditor()).toMatch(/^not JSON/);
    expect(editor.value).toBe('{"version": 1,');

    fireEvent.change(editor, { target: { value: JSON.stringify({ ...REV3, roles: [{ name: 'viewer', permissions: ['nope'] }] }) } });
    await userEvent.click(preview);
    expect(besideEditor()).toMatch(/^roles\[0\]\.permissions\[0\]: must be/);
    expect(screen.queryByRole('table', { name: 'Requests whose decision would change' })).toBeNull();

    const edited = { ...REV3, roles: REV3.roles.map((r) => (r.name === 'viewer' ? { ...r, permissions: [] } : r)) };
    fireEvent.change(editor, { target: { value: JSON.stringify(edited) } });
    await userEvent.click(preview);
    expect(await flipRows()).toEqual([expect.stringMatching(/GET \/api\/v1\/workflows.*forwarded \(GRANTED\).*403 MISSING_PERMISSION.*allowed→denied/)]);
  });
});
