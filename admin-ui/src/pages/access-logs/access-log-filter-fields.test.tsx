// The filter form's existing fields (status, decision, principal); the reason-code field has its own tests.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { errorBeside, networkCut } from '../../testing/form-checks';
import { renderConsole } from '../../testing/render-page';

const EMPTY = () => json(200, { items: [], nextCursor: null });
const base: Record<string, Handler> = {
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'auditor' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
};

async function open(accessLogs: Handler = EMPTY) {
  const calls = fakeAdminApi({ ...base, 'GET /api/v1/access-logs': accessLogs });
  renderConsole('/access-logs');
  const form = await screen.findByRole('form', { name: 'Filter access logs' }, { timeout: 8000 });
  const field = (label: string) => within(form).getByLabelText(label) as HTMLInputElement;
  const searches = () => calls.filter((c) => c.path.startsWith('/api/v1/access-logs')).length;
  await waitFor(() => expect(searches()).toBe(1));
  return { form, field, searches, search: () => userEvent.click(within(form).getByRole('button', { name: 'Search' })) };
}

describe('access-log filter: invalid values', () => {
  it.each([
    ['Status', '4x', 'An HTTP status (403) or a class (4xx)'],
    ['Status', '700', 'An HTTP status (403) or a class (4xx)'],
    ['Decision', 'Allow!', 'A decision like allow or deny'],
  ])('%s "%s" is refused beside the field, searching nothing', async (label, value, message) => {
    const f = await open();
    await userEvent.type(f.field(label), value);
    await f.search();
    expect(errorBeside(f.field(label))).toBe(message);
    expect(f.field(label).getAttribute('aria-invalid')).toBe('true');
    expect(f.searches()).toBe(1);
    await userEvent.type(f.field(label), 'x');
    expect(errorBeside(f.field(label))).toBeUndefined();
  });

  it("shows the API's query field error beside the field", async () => {
    let n = 0;
    const f = await open(() => (++n === 1 ? EMPTY() : apiError(400, 'INVALID_REQUEST', 'invalid query', [{ path: 'query.principal', message: 'must be at most 256 characters' }])));
    await userEvent.type(f.field('Principal'), 'p');
    await f.search();
    await waitFor(() => expect(errorBeside(f.field('Principal'))).toBe('must be at most 256 characters'));
    expect(f.field('Principal').value).toBe('p');
  });

  it('a network cut keeps the filter and offers Retry', async () => {
    let n = 0;
    const f = await open(() => (++n === 1 ? EMPTY() : n <= 3 ? networkCut(undefined as never, undefined) : EMPTY()));
    await userEvent.type(f.field('Status'), '403');
    await f.search();
    const alert = await screen.findByText(/cannot be reached/, {}, { timeout: 5000 });
    expect(f.field('Status').value).toBe('403');
    await userEvent.click(within(alert.closest('[role=alert]') as HTMLElement).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('No records match this filter.')).toBeTruthy();
    expect(f.field('Status').value).toBe('403');
  });
});
