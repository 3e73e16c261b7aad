import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';
import { checkRateLimitForm, EMPTY_RATE_LIMIT, fieldOfApiPath, type RateLimitFormValues } from './rate-limit-form-schema';

const valid: RateLimitFormValues = { ...EMPTY_RATE_LIMIT, id: 'per-client', requests: '10', periodSeconds: '60' };

describe('rate-limit form check (the contract RateLimit schema plus the bundle rule)', () => {
  it.each<[string, Partial<RateLimitFormValues>, string, string]>([
    ['empty id', { id: '' }, 'id', 'Enter an id'],
    ['id with a space', { id: 'per client' }, 'id', 'Use 1-64 letters'],
    ['id of 65 characters', { id: 'a'.repeat(65) }, 'id', 'Use 1-64 letters'],
    ['no requests', { requests: '' }, 'requests', 'Enter how many requests'],
    ['zero requests', { requests: '0' }, 'requests', 'At least 1'],
    ['requests not a number', { requests: 'ten' }, 'requests', 'Enter a number'],
    ['fractional requests', { requests: '2.5' }, 'requests', 'Enter a whole number'],
    ['too many requests', { requests: '1000000001' }, 'requests', 'At most 1,000,000,000'],
    ['zero period', { periodSeconds: '0' }, 'periodSeconds', 'Must be more than 0'],
    ['period over a day', { periodSeconds: '86401' }, 'periodSeconds', 'At most 86,400'],
    ['no period', { periodSeconds: '' }, 'periodSeconds', 'Enter the period in seconds'],
    ['zero burst', { burst: '0' }, 'burst', 'At least 1'],
    ['burst with a fixed window', { burst: '5', algorithm: 'fixed-window' }, 'burst', 'GCRA algorithm only'],
    ['neither rate nor quota', { hasRate: false }, 'rate', 'give a rate, quotas, or both'],
    ['zero daily quota', { quotas: { hour: '', day: '0', month: '' } }, 'quota.day', 'At least 1'],
    ['monthly quota not a number', { quotas: { hour: '', day: '', month: 'lots' } }, 'quota.month', 'Enter a number'],
  ])('%s: a message for %s', (_name, patch, field, message) => {
    const r = checkRateLimitForm({ ...valid, ...patch });
    expect(r.definition).toBeUndefined();
    expect((r.errors as Record<string, string>)[field]).toContain(message);
  });

  it('builds the definition the API expects', () => {
    expect(checkRateLimitForm({ ...valid, scope: ['client', 'endpoint'], burst: '3', quotas: { hour: '', day: '1000', month: '' } }).definition).toEqual({
      id: 'per-client',
      scope: ['client', 'endpoint'],
      rate: { requests: 10, periodSeconds: 60, burst: 3 },
      quotas: [{ period: 'day', requests: 1000 }],
      algorithm: 'gcra',
    });
    expect(checkRateLimitForm({ ...valid, hasRate: false, scope: [], quotas: { hour: '50', day: '', month: '' } }).definition).toEqual({ id: 'per-client', scope: [], quotas: [{ period: 'hour', requests: 50 }], algorithm: 'gcra' });
  });

  it.each([
    ['body.rate.burst', 'burst'],
    ['body.quotas.1.requests', 'quota.month'],
    ['rateLimits[3].rate.periodSeconds', 'periodSeconds'],
    ['body.id', 'id'],
    ['body.nope', undefined],
  ])('API path %s is shown beside %s', (path, field) => {
    expect(fieldOfApiPath(path, ['day', 'month'])).toBe(field);
  });
});

const stored = (definition: Record<string, unknown>, version: number) => ({ service: 'agents', id: definition.id, definition, createdAt: '', updatedAt: '', version });
const READS = { id: 'reads', scope: ['client'], rate: { requests: 100, periodSeconds: 1, burst: 200 }, quotas: [{ requests: 100000, period: 'day' }], algorithm: 'gcra' };
const base = (limits: () => unknown[]): Record<string, Handler> => ({
  'GET /api/v1/session': () => json(200, SESSION),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/routes': () => json(200, { items: [{ id: 'agents-list', definition: { id: 'agents-list', rateLimits: ['reads'] } }], nextCursor: null }),
  'GET /api/v1/services/agents/rate-limits': () => json(200, { items: limits(), nextCursor: null }),
});

/** The text of what an input's aria-describedby points at (react-aria links the FieldError there). */
const describedBy = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ');

async function openCreate() {
  renderConsole('/services/agents/rate-limits');
  await userEvent.click(await screen.findByRole('button', { name: 'New rate limit' }, { timeout: 8000 }));
  return screen.getByRole('form', { name: 'Create a rate limit' });
}

describe('rate limits page', () => {
  it('lists limits with the routes using them; invalid values get their message beside the field and nothing is sent', async () => {
    const calls = fakeAdminApi(base(() => [stored(READS, 1)]));
    const form = await openCreate();
    const row = (await screen.findByText('reads')).closest('tr')!;
    expect(row.textContent).toContain('agents-list');
    expect(row.textContent).toContain('100,000 per day');
    await userEvent.type(within(form).getByLabelText('Requests'), '0');
    await userEvent.type(within(form).getByLabelText('Requests per day'), 'lots');
    await userEvent.click(within(form).getByRole('button', { name: 'Create rate limit' }));
    expect(describedBy(within(form).getByLabelText('Id'))).toContain('Enter an id');
    expect(describedBy(within(form).getByLabelText('Requests'))).toContain('At least 1');
    expect(describedBy(within(form).getByLabelText('Requests per day'))).toContain('Enter a number');
    expect(within(form).getByLabelText('Requests').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(0);
  });

  it("shows the API's field-path errors beside the field; a 500 and a network cut keep the edits and Retry creates", async () => {
    let answer: 'fields' | 'fail' | 'cut' | 'ok' = 'fields';
    const limits: unknown[] = [];
    const calls = fakeAdminApi({
      ...base(() => limits),
      'POST /api/v1/services/agents/rate-limits': (_req, body) => {
        if (answer === 'fields') return apiError(400, 'ADMIN_INPUT_INVALID', 'invalid body', [{ path: 'body.rate.burst', message: 'burst is too large for this service' }]);
        if (answer === 'fail') return apiError(500, 'INTERNAL_ERROR', 'the admin API failed to process the request; report the request id');
        if (answer === 'cut') throw new TypeError('Failed to fetch');
        limits.push(stored(body as Record<string, unknown>, 1));
        return json(201, limits[0]);
      },
    });
    const form = await openCreate();
    await userEvent.type(within(form).getByLabelText('Id'), 'tight');
    await userEvent.type(within(form).getByLabelText('Requests'), '2');
    await userEvent.type(within(form).getByLabelText('Burst'), '2');
    await userEvent.click(within(form).getByRole('button', { name: 'Create rate limit' }));
    await waitFor(() => expect(describedBy(within(form).getByLabelText('Burst'))).toContain('burst is too large for this service'));
    answer = 'fail';
    await userEvent.click(within(form).getByRole('button', { name: 'Create rate limit' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('(request req-test-1)'));
    answer = 'cut';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(form).getByRole('alert').textContent).toContain('cannot be reached'));
    expect((within(form).getByLabelText('Id') as HTMLInputElement).value).toBe('tight');
    expect((within(form).getByLabelText('Burst') as HTMLInputElement).value).toBe('2');
    answer = 'ok';
    await userEvent.click(within(within(form).getByRole('alert')).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('button', { name: 'New rate limit' });
    expect(await screen.findByText('tight')).toBeTruthy();
    const post = calls.filter((c) => c.method === 'POST').at(-1)!;
    expect(post.body).toEqual({ id: 'tight', scope: ['client'], rate: { requests: 2, periodSeconds: 60, burst: 2 }, quotas: [], algorithm: 'gcra' });
    expect(post.headers.get('x-csrf-token')).toBe('csrf-1');
  });

  it('an edit that hits 412 shows the stored limit against mine, keeps my edit, and re-applies with the new ETag only when asked', async () => {
    let current = stored(READS, 1);
    const puts: { ifMatch: string | null; body: unknown }[] = [];
    fakeAdminApi({
      ...base(() => [current]),
      'GET /api/v1/services/agents/rate-limits/reads': () => json(200, current, { etag: `"v${current.version}"` }),
      'PUT /api/v1/services/agents/rate-limits/reads': (req, body) => {
        puts.push({ ifMatch: req.headers.get('if-match'), body });
        if (req.headers.get('if-match') !== `"v${current.version}"`) return apiError(412, 'PRECONDITION_FAILED', 'rate limit "reads" is at version 2, not 1');
        current = stored(body as Record<string, unknown>, current.version + 1);
        return json(200, current, { etag: `"v${current.version}"` });
      },
    });
    renderConsole('/services/agents/rate-limits');
    await userEvent.click(await screen.findByRole('button', { name: 'Edit rate limit reads' }, { timeout: 8000 }));
    const form = screen.getByRole('form', { name: 'Edit rate limit reads' });
    // Someone else saves first: they lower the daily quota.
    current = stored({ ...READS, quotas: [{ requests: 500, period: 'day' }] }, 2);
    const requests = within(form).getByLabelText('Requests');
    await userEvent.clear(requests);
    await userEvent.type(requests, '5');
    await userEvent.click(within(form).getByRole('button', { name: 'Save rate limit' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(within(dialog).getByText('Someone else changed rate limit reads')).toBeTruthy();
    const diff = within(dialog).getByRole('table').textContent!;
    expect(diff).toContain('500');
    expect(diff).toContain('100000');
    expect(puts).toEqual([{ ifMatch: '"v1"', body: expect.objectContaining({ rate: { requests: 5, periodSeconds: 1, burst: 200 } }) }]);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep editing' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog', { hidden: true })).toBeNull());
    expect((screen.getByLabelText('Requests', { selector: 'input' }) as HTMLInputElement).value).toBe('5');
    await userEvent.click(screen.getByRole('button', { name: 'Save rate limit', hidden: true }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Re-apply mine' }));
    await waitFor(() => expect(current.version).toBe(3));
    expect(puts.at(-1)!.ifMatch).toBe('"v2"');
    expect(current.definition).toMatchObject({ rate: { requests: 5 } });
  });

  it('delete asks first, names the routes that lose the limit, and sends If-Match with the cascade', async () => {
    const calls = fakeAdminApi({ ...base(() => [stored(READS, 4)]), 'DELETE /api/v1/services/agents/rate-limits/reads': () => json(200, { deleted: 'reads', cascade: [] }) });
    renderConsole('/services/agents/rate-limits');
    await userEvent.click(await screen.findByRole('button', { name: 'Delete rate limit reads' }, { timeout: 8000 }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Routes agents-list refer to it');
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete rate limit' }));
    await waitFor(() => expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1));
    const del = calls.find((c) => c.method === 'DELETE')!;
    expect(del.path).toBe('/api/v1/services/agents/rate-limits/reads?cascade=true');
    expect(del.headers.get('if-match')).toBe('"v4"');
  });

  it('an auditor sees the limits but no create, edit or delete control', async () => {
    fakeAdminApi({ ...base(() => [stored(READS, 1)]), 'GET /api/v1/session': () => json(200, { ...SESSION, role: 'auditor' }) });
    renderConsole('/services/agents/rate-limits');
    await screen.findByText('reads', {}, { timeout: 8000 });
    expect(screen.queryByRole('button', { name: 'New rate limit' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Edit|Delete/ })).toBeNull();
  });
});
