import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';

const record = { id: 7, at: '2030-01-01T00:00:00.000Z', service: 'agents', requestId: 'r-7', principal: null, apiKeyId: null, routeId: 'agents-create', method: 'POST', path: '/api/v1/agents', status: 429, decision: 'deny', reason: 'RATE_LIMITED', client: null, latencyMs: 1.2 };

describe('access-log filter: reason codes', () => {
  it('refuses bad codes beside the field, sends good ones to search and export, and shows the API field error', async () => {
    const calls = fakeAdminApi({
      'GET /api/v1/session': () => json(200, { ...SESSION, role: 'auditor' }),
      'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
      'GET /api/v1/access-logs': (req) => {
        const reason = new URL(req.url).searchParams.get('reason');
        if (reason === 'NOT_KNOWN_HERE') return apiError(400, 'INVALID_REQUEST', 'invalid query', [{ path: 'query.reason', message: 'the server refused this code' }]);
        return json(200, { items: reason ? [record] : [], nextCursor: null });
      },
    });
    renderConsole('/access-logs');
    const field = await screen.findByRole('textbox', { name: 'Reason codes' }, { timeout: 8000 });
    const search = screen.getByRole('button', { name: 'Search' });

    await userEvent.type(field, 'rate limited');
    await userEvent.click(search);
    expect(await screen.findByText('Reason codes like MISSING_PERMISSION, comma-separated (at most 20)')).toBeTruthy();
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.path.includes('reason='))).toEqual([]);

    await userEvent.clear(field);
    await userEvent.type(field, ' RATE_LIMITED, UNKNOWN_API_KEY ');
    await userEvent.click(search);
    await waitFor(() => expect(screen.getByTestId('access-log-count').textContent).toBe('1 records'));
    expect(calls.some((c) => c.path.startsWith('/api/v1/access-logs?') && new URL(`http://x${c.path}`).searchParams.get('reason') === 'RATE_LIMITED,UNKNOWN_API_KEY')).toBe(true);
    const csv = new URL(screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')!, 'http://x');
    expect(csv.pathname).toBe('/api/v1/access-logs/export');
    expect(csv.searchParams.get('reason')).toBe('RATE_LIMITED,UNKNOWN_API_KEY');
    expect(csv.searchParams.get('format')).toBe('csv');

    await userEvent.clear(field);
    await userEvent.type(field, 'NOT_KNOWN_HERE');
    await userEvent.click(search);
    expect(await screen.findByText('the server refused this code')).toBeTruthy();
    expect((field as HTMLInputElement).value).toBe('NOT_KNOWN_HERE');
  });
});
