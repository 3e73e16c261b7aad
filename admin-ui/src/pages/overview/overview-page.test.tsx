import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeAdminApi, json, SESSION } from '../../testing/fake-admin-api';
import { renderConsole } from '../../testing/render-page';
import { bucketsFor, chartRows, topReasons } from './overview-series';

const MIN = 60_000;
const counts = (requests: number, denied: number, rateLimited: number, byReason: Record<string, number>, p50: number | null, p99: number | null) => ({
  requests,
  denied,
  errors: 0,
  rateLimited,
  deniedByReason: byReason,
  latencyCount: p50 === null ? 0 : requests,
  p50Ms: p50,
  p99Ms: p99,
});

/** A stats answer for the window the page asked for: traffic in its last two buckets. */
function statsFor(url: URL) {
  const bucketMs = { '1m': MIN, '5m': 5 * MIN, '15m': 15 * MIN, '1h': 60 * MIN, '6h': 360 * MIN, '1d': 1440 * MIN }[url.searchParams.get('bucket')!]!;
  const to = Math.ceil(Number(url.searchParams.get('to')) / bucketMs) * bucketMs;
  const from = Math.floor(Number(url.searchParams.get('from')) / bucketMs) * bucketMs;
  const groupBy = url.searchParams.get('groupBy');
  const p1 = { at: new Date(to - 2 * bucketMs).toISOString(), ...counts(40, 6, 2, { MISSING_PERMISSION: 4, RATE_LIMITED: 2 }, 1.26, 50.8) };
  const p2 = { at: new Date(to - bucketMs).toISOString(), ...counts(10, 1, 0, { INVALID_KEY: 1 }, 2.0, 8.0) };
  const totals = counts(50, 7, 2, { MISSING_PERMISSION: 4, RATE_LIMITED: 2, INVALID_KEY: 1 }, 1.26, 50.8);
  const groups =
    groupBy === 'route'
      ? [
          { service: 'orders', route: 'list', totals, points: [p1, p2] },
          { service: 'orders', route: '', totals: counts(3, 0, 0, {}, null, null), points: [] },
        ]
      : [{ service: null, route: null, totals, points: [p1, p2] }];
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), bucket: url.searchParams.get('bucket'), bucketMs, groupBy, groups, truncated: false };
}

const base = {
  'GET /api/v1/session': () => json(200, SESSION),
  'GET /api/v1/services': () => json(200, { items: [{ name: 'orders' }, { name: 'billing' }], nextCursor: null }),
  'GET /api/v1/services/orders/routes': () => json(200, { items: [{ service: 'orders', id: 'list', definition: {}, createdAt: '', updatedAt: '', version: 1 }], nextCursor: null }),
};

describe('overview page', () => {
  it('charts the stats with a table alternative, and narrows to a service and route', async () => {
    const calls = fakeAdminApi({ ...base, 'GET /api/v1/access-logs/stats': (req) => json(200, statsFor(new URL(req.url))) });
    renderConsole('/overview');
    expect(await screen.findByText('50 requests, 7 denied, 2 × 429 in this range', {}, { timeout: 8000 })).toBeTruthy();
    const traffic = screen.getByRole('figure', { name: 'Requests, denials and 429s' });
    expect(within(traffic).getByRole('img').getAttribute('aria-label')).toBe('Requests, denials and 429s: 50 requests, 7 denied, 2 answered 429; at most 40 requests in one bucket');
    const table = within(traffic).getByRole('table', { hidden: true });
    expect(within(table).getAllByRole('row', { hidden: true }).slice(1).map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent))).toEqual([
      ['40', '6', '2'],
      ['10', '1', '0'],
    ]);
    const reasons = screen.getByRole('figure', { name: 'Denials by reason' });
    expect(within(reasons).getByRole('img').getAttribute('aria-label')).toBe('Denials by reason: MISSING_PERMISSION 4, RATE_LIMITED 2, INVALID_KEY 1');
    expect(screen.getByRole('figure', { name: 'Latency p50 / p99 (ms)' })).toBeTruthy();
    const breakdown = screen.getByRole('table', { name: 'Traffic per service and route' });
    expect(within(breakdown).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'ServiceRouteRequestsDenied429sTop denial reasonp50 (ms)p99 (ms)',
      'orderslist5072MISSING_PERMISSION (4)1.2650.8',
      'orders(no route)300–––',
    ]);
    const first = new URL(`http://x${calls.find((c) => c.path.startsWith('/api/v1/access-logs/stats'))!.path}`);
    expect(first.searchParams.get('bucket')).toBe('15m');
    expect(first.searchParams.get('groupBy')).toBe('none');
    expect(Number(first.searchParams.get('to')) - Number(first.searchParams.get('from'))).toBe(24 * 60 * MIN);

    await userEvent.click(within(breakdown).getByRole('button', { name: 'Show orders list in the charts' }));
    await waitFor(() => expect(calls.some((c) => c.path.includes('service=orders') && c.path.includes('route=list') && c.path.includes('groupBy=none'))).toBe(true));
  });

  it('asks again with the bucket and range picked', async () => {
    const calls = fakeAdminApi({ ...base, 'GET /api/v1/access-logs/stats': (req) => json(200, statsFor(new URL(req.url))) });
    renderConsole('/overview');
    await screen.findByRole('figure', { name: 'Requests, denials and 429s' }, { timeout: 8000 });
    await userEvent.click(screen.getByRole('button', { name: /Range/ }));
    await userEvent.click(await screen.findByRole('option', { name: 'Last 7 days' }));
    await waitFor(() => expect(calls.some((c) => c.path.includes('bucket=1h'))).toBe(true));
    await userEvent.click(screen.getByRole('button', { name: /Bucket/ }));
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual(['15m', '1h', '6h', '1d']);
    await userEvent.click(screen.getByRole('option', { name: '6h' }));
    await waitFor(() => expect(calls.some((c) => c.path.includes('bucket=6h'))).toBe(true));
  });

  it('says when there is no traffic', async () => {
    fakeAdminApi({ ...base, 'GET /api/v1/access-logs/stats': (req) => json(200, { ...statsFor(new URL(req.url)), groups: [] }) });
    renderConsole('/overview');
    expect(await screen.findByText(/^No traffic in this range: requests that pass a synced sidecar/, {}, { timeout: 8000 })).toBeTruthy();
    expect(screen.queryByRole('figure')).toBeNull();
  });

  it('shows an error with Retry, and the charts after a retry that works', async () => {
    let fail = true;
    fakeAdminApi({ ...base, 'GET /api/v1/access-logs/stats': (req) => (fail ? apiError(500, 'INTERNAL', 'the store is down') : json(200, statsFor(new URL(req.url)))) });
    renderConsole('/overview');
    const alerts = await screen.findAllByRole('alert', {}, { timeout: 8000 });
    expect(alerts[0]!.textContent).toMatch(/the store is down/);
    fail = false;
    await userEvent.click(within(alerts[0]!).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('figure', { name: 'Requests, denials and 429s' })).toBeTruthy();
  });
});

describe('overview series', () => {
  it('offers only buckets that give 2…1440 points', () => {
    expect(bucketsFor(60 * MIN)).toEqual(['1m', '5m', '15m']);
    expect(bucketsFor(30 * 1440 * MIN)).toEqual(['1h', '6h', '1d']);
  });

  it('zero-fills missing buckets and folds rare reasons into OTHER', () => {
    const many = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'].map((r, i) => [r, 10 - i]));
    const group = { service: null, route: null, totals: counts(100, 52, 0, many, 1, 2), points: [{ at: new Date(2 * MIN).toISOString(), ...counts(100, 52, 0, many, 1, 2) }] };
    const reasons = topReasons(group);
    expect(reasons).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'OTHER']);
    const rows = chartRows(group, 0, 3 * MIN, MIN, reasons);
    expect(rows.map((r) => [r.at, r.requests, r.p50, r['reason:A'], r['reason:OTHER']])).toEqual([
      [0, 0, null, 0, 0],
      [MIN, 0, null, 0, 0],
      [2 * MIN, 100, 1, 10, 4 + 3],
    ]);
  });
});
