import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeAdminApi, json, SESSION } from '../../testing/fake-admin-api';
import { inTurn, networkCut } from '../../testing/form-checks';
import { renderConsole } from '../../testing/render-page';

const base = {
  'GET /api/v1/session': () => json(200, { ...SESSION, role: 'auditor' }),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'agents' }], nextCursor: null }),
  'GET /api/v1/services/agents/routes': () => json(200, { items: [], nextCursor: null }),
};
const upstream = { service: 'agents', id: 'backend', definition: { targets: [{ name: 'a', url: 'http://10.0.0.1:8080', weight: 3 }], healthCheck: { path: '/healthz' } }, createdAt: '', updatedAt: '', version: 1 };

describe('upstreams table (read-only)', () => {
  it('says so when there are none', async () => {
    fakeAdminApi({ ...base, 'GET /api/v1/services/agents/upstreams': () => json(200, { items: [], nextCursor: null }) });
    renderConsole('/services/agents/config');
    expect(await screen.findByText(/No upstreams: routes go to each sidecar's local backend/, {}, { timeout: 8000 })).toBeTruthy();
  });

  it('a network cut offers Retry, which shows targets with weights and the health check', async () => {
    fakeAdminApi({ ...base, 'GET /api/v1/services/agents/upstreams': inTurn(networkCut, networkCut, () => json(200, { items: [upstream], nextCursor: null })) });
    renderConsole('/services/agents/config');
    await screen.findByText(/cannot be reached/, {}, { timeout: 8000 });
    await userEvent.click(screen.getAllByRole('button', { name: 'Retry' })[0]!);
    expect(await screen.findByText('a http://10.0.0.1:8080 (3)')).toBeTruthy();
    expect(screen.getByText('{"path":"/healthz"}')).toBeTruthy();
  });
});
