import demoBundle from '../../../../policies/examples/demo.bundle.json';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION, type Handler } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';


const demo = demoBundle as { roles: { name: string; permissions: string[]; inherits?: string[] }[] };
const roles = demo.roles.map((r, i) => ({ service: 'agents', id: r.name, definition: { inherits: [], ...r }, createdAt: '', updatedAt: '', version: i + 1 }));

let id = 1;
const log = (method: string, path: string, apiKeyId: string | null, principal: string | null, status: number, reason: string) => ({
  id: id++,
  at: '2030-01-01T00:00:00.000Z',
  service: 'agents',
  requestId: `r${id}`,
  principal,
  apiKeyId,
  routeId: null,
  method,
  path,
  status,
  decision: status < 400 ? 'allow' : 'deny',
  reason,
  client: '10.0.0.1',
  latencyMs: 1,
});
const RECORDS = [
  log('GET', '/api/v1/agents', 'demo-viewer', 'svc-dashboard', 200, 'GRANTED'),
  log('GET', '/api/v1/workflows', 'demo-viewer', 'svc-dashboard', 200, 'GRANTED'),
  log('GET', '/healthz', null, null, 200, 'PUBLIC_ROUTE'),
  log('GET', '/api/v1/agents', 'demo-viewer', 'svc-dashboard', 429, 'RATE_LIMITED'),
  log('GET', '/api/v1/agents/a1', null, 'jwt-bob', 200, 'GRANTED'),
];

function fakeApi(accessLogs: Handler) {
  return fakeAdminApi({
    'GET /api/v1/session': () => json(200, SESSION),
    'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
    'GET /api/v1/services/agents/routes': () => json(200, { items: [], nextCursor: null }),
    'GET /api/v1/services/agents/roles': () => json(200, { items: roles, nextCursor: null }),
    'GET /api/v1/services/agents/revisions': () => json(200, { items: [{ revision: 3, hash: 'h', publishedAt: '2030-01-01T00:00:00Z' }], nextCursor: null }),
    'GET /api/v1/services/agents/revisions/3': () => json(200, { revision: 3, hash: 'h', publishedAt: '2030-01-01T00:00:00Z', content: demo }),
    'GET /api/v1/principals': () => json(200, { items: [], nextCursor: null }),
    'GET /api/v1/access-logs': accessLogs,
  });
}

/** Unticks viewer's agents:read and opens the preview. */
async function previewRemovingAgentsRead() {
  renderConsole('/services/agents/roles');
  await userEvent.click(await screen.findByRole('checkbox', { name: 'viewer grants agents:read' }, { timeout: 8000 }));
  await userEvent.click(screen.getByRole('button', { name: 'Preview impact' }));
  return screen.findByRole('region', { name: 'Impact preview' }, { timeout: 5000 });
}

describe('roles page: impact preview of unsaved edits', () => {
  it('is offered only once something is edited', async () => {
    fakeApi(() => json(200, { items: RECORDS, nextCursor: null }));
    renderConsole('/services/agents/roles');
    await screen.findByRole('checkbox', { name: 'viewer grants agents:read' }, { timeout: 8000 });
    expect((screen.getByRole('button', { name: 'Preview impact' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('lists exactly the requests that flip, and says which records were not replayed and why', async () => {
    fakeApi(() => json(200, { items: RECORDS, nextCursor: null }));
    const panel = await previewRemovingAgentsRead();
    const table = await within(panel).findByRole('table', { name: 'Requests whose decision would change' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringMatching(/GET \/api\/v1\/agents.*svc-dashboard \(key demo-viewer\).*forwarded \(GRANTED\).*403 MISSING_PERMISSION.*allowed→denied/)]);
    expect(within(panel).getByText(/Replayed 3 of 5 records in .* ms/).textContent).toMatch(/1 would change \(1 allowed→denied, 0 denied→allowed/);
    const skipped = within(panel).getByRole('list', { name: 'Records not replayed' });
    expect(skipped.textContent).toMatch(/1 × the rate-limit or quota outcome depends on counters/);
    expect(skipped.textContent).toMatch(/1 × token caller .*not logged/);
  });

  it('shows loading, then the empty state when the service has no records', async () => {
    let answer!: () => void;
    fakeApi(() => new Promise<Response>((resolve) => (answer = () => resolve(json(200, { items: [], nextCursor: null })))));
    const panel = await previewRemovingAgentsRead();
    expect(await within(panel).findByText('Loading the last 1,000 access-log records…')).toBeTruthy();
    answer();
    expect(await within(panel).findByText('No access-log records for agents yet: there is nothing to replay.')).toBeTruthy();
  });

  it('a failed load shows the error and Retry, keeping the unsaved edit', async () => {
    let calls = 0;
    fakeApi(() => (++calls <= 2 ? apiError(500, 'INTERNAL_ERROR', 'the store is down') : json(200, { items: RECORDS, nextCursor: null })));
    const panel = await previewRemovingAgentsRead();
    const alert = await within(panel).findByRole('alert', {}, { timeout: 5000 });
    expect(alert.textContent).toMatch(/the store is down/);
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await within(panel).findByRole('table', { name: 'Requests whose decision would change' });
    expect((screen.getByRole('checkbox', { name: 'viewer grants agents:read' }) as HTMLInputElement).checked).toBe(false);
  });

  it('replays 10,000 records fetched in 1,000-record pages', async () => {
    const calls = fakeApi((req) => {
      const u = new URL(req.url);
      const page = Number(u.searchParams.get('cursor') ?? '0');
      const items = Array.from({ length: Number(u.searchParams.get('limit')) }, () => RECORDS[0]).map((r) => ({ ...r, id: id++ }));
      return json(200, { items, nextCursor: page < 20 ? String(page + 1) : null });
    });
    const panel = await previewRemovingAgentsRead();
    await within(panel).findByRole('table', { name: 'Requests whose decision would change' });
    await userEvent.click(within(panel).getByRole('radio', { name: '10,000' }));
    await waitFor(() => expect(within(panel).getByText(/Replayed 10,000 of 10,000 records/)).toBeTruthy(), { timeout: 8000 });
    expect(within(panel).getByText(/The first 500 of 10,000 are shown/)).toBeTruthy();
    const pages = calls.filter((c) => c.path.startsWith('/api/v1/access-logs'));
    expect(pages.map((c) => new URL(c.path, 'http://x').searchParams.get('service'))).toEqual(Array(pages.length).fill('agents'));
    expect(pages.filter((c) => c.path.includes('cursor'))).toHaveLength(9);
  });
});
