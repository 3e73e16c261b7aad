/**
 * Overview: requests, denials by reason, 429s and p50/p99 latency over time, for all traffic or one
 * service and route, from `GET /api/v1/access-logs/stats`; and the busiest services × routes of the range.
 * Recharts lives in this page's lazy chunk only.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';
import { routesQuery, servicesQuery } from '../api/services-api';
import { accessLogStatsQuery, type StatsBucket, type StatsGroup } from '../api/stats-api';
import { QueryState } from '../components/query-state';
import { LatencyChart, ReasonsChart, TrafficChart } from './overview/overview-charts';
import { BUCKET_MS, RANGES, bucketsFor, chartRows, topReasons, type RangeId } from './overview/overview-series';

function Picker({ label, value, items, onChange, isDisabled }: { label: string; value: string; items: { id: string; name: string }[]; onChange: (v: string) => void; isDisabled?: boolean }) {
  return (
    <Select selectedKey={value} onSelectionChange={(k) => onChange(String(k))} isDisabled={!!isDisabled}>
      <Label>{label}</Label>
      <Button>
        <SelectValue />
        <span aria-hidden="true"> ▾</span>
      </Button>
      <Popover>
        <ListBox items={items}>{(i) => <ListBoxItem id={i.id}>{i.name}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}

const ALL = '*';
const minuteNow = () => Math.ceil(Date.now() / 60_000) * 60_000;
const routeName = (r: string | null) => (r === '' ? '(no route)' : (r ?? ''));

/** The busiest services × routes of the range; a row's button narrows the charts to it. */
function Breakdown({ groups, truncated, onPick }: { groups: StatsGroup[]; truncated: boolean; onPick: (service: string, route: string) => void }) {
  return (
    <table aria-label="Traffic per service and route">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Route</th>
          <th scope="col">Requests</th>
          <th scope="col">Denied</th>
          <th scope="col">429s</th>
          <th scope="col">Top denial reason</th>
          <th scope="col">p50 (ms)</th>
          <th scope="col">p99 (ms)</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const top = Object.entries(g.totals.deniedByReason).sort((a, b) => b[1] - a[1])[0];
          return (
            <tr key={`${g.service}/${g.route}`}>
              <td>{g.service}</td>
              <td>
                {g.route ? (
                  <button type="button" className="link" onClick={() => onPick(g.service ?? '', g.route ?? '')} aria-label={`Show ${g.service} ${g.route} in the charts`}>
                    {g.route}
                  </button>
                ) : (
                  routeName(g.route)
                )}
              </td>
              <td>{g.totals.requests}</td>
              <td>{g.totals.denied}</td>
              <td>{g.totals.rateLimited}</td>
              <td>{top ? `${top[0]} (${top[1]})` : '–'}</td>
              <td>{g.totals.p50Ms ?? '–'}</td>
              <td>{g.totals.p99Ms ?? '–'}</td>
            </tr>
          );
        })}
      </tbody>
      {truncated && (
        <tfoot>
          <tr>
            <td colSpan={8} className="hint">
              Only the 50 busiest are listed.
            </td>
          </tr>
        </tfoot>
      )}
    </table>
  );
}

/** The page. */
export default function OverviewPage() {
  const [range, setRange] = useState<RangeId>('24h');
  const [bucket, setBucket] = useState<StatsBucket>('15m');
  const [service, setService] = useState('');
  const [route, setRoute] = useState('');
  const [to, setTo] = useState(minuteNow);
  const rangeMs = RANGES.find((r) => r.id === range)!.ms;
  const request = { from: to - rangeMs, to, bucket, service, route };
  const series = useQuery(accessLogStatsQuery({ ...request, groupBy: 'none' }));
  const breakdown = useQuery(accessLogStatsQuery({ ...request, groupBy: 'route', route: '' }));
  const services = useQuery(servicesQuery);
  const routes = useQuery({ ...routesQuery(service), enabled: service !== '' });

  const group = series.data?.groups[0];
  const reasons = useMemo(() => topReasons(group), [group]);
  const rows = useMemo(() => (series.data ? chartRows(group, Date.parse(series.data.from), Date.parse(series.data.to), series.data.bucketMs, reasons) : []), [series.data, group, reasons]);
  const bucketMs = series.data?.bucketMs ?? BUCKET_MS[bucket];

  return (
    <>
      <h1>Overview</h1>
      <form className="card row" aria-label="Overview range and filters" onSubmit={(e) => e.preventDefault()}>
        <Picker
          label="Range"
          value={range}
          items={RANGES.map((r) => ({ id: r.id, name: r.label }))}
          onChange={(v) => {
            const r = RANGES.find((x) => x.id === v)!;
            setRange(r.id);
            setBucket(r.bucket);
            setTo(minuteNow());
          }}
        />
        <Picker label="Bucket" value={bucket} items={bucketsFor(rangeMs).map((b) => ({ id: b, name: b }))} onChange={(v) => setBucket(v as StatsBucket)} />
        <Picker
          label="Service"
          value={service || ALL}
          items={[{ id: ALL, name: 'all services' }, ...(services.data ?? []).map((s) => ({ id: s.name, name: s.name }))]}
          onChange={(v) => {
            setService(v === ALL ? '' : v);
            setRoute('');
          }}
        />
        <Picker
          label="Route"
          value={route || ALL}
          isDisabled={service === ''}
          items={[{ id: ALL, name: 'all routes' }, ...(routes.data ?? []).map((r) => ({ id: r.id, name: r.id }))]}
          onChange={(v) => setRoute(v === ALL ? '' : v)}
        />
        <button type="button" onClick={() => setTo(minuteNow())} disabled={series.isFetching}>
          {series.isFetching ? 'Refreshing…' : 'Refresh'}
        </button>
      </form>
      <p className="hint" role="status" data-testid="overview-status">
        {series.isPending ? 'Loading traffic…' : group ? `${group.totals.requests} requests, ${group.totals.denied} denied, ${group.totals.rateLimited} × 429 in this range` : ''}
      </p>
      <QueryState query={series} what="traffic" isEmpty={(d) => d.groups.length === 0} empty="No traffic in this range: requests that pass a synced sidecar show up here within seconds.">
        {() => (
          <div className="chart-grid">
            <TrafficChart rows={rows} bucketMs={bucketMs} />
            <ReasonsChart rows={rows} reasons={reasons} bucketMs={bucketMs} />
            <LatencyChart rows={rows} bucketMs={bucketMs} />
          </div>
        )}
      </QueryState>
      <h2>Per service and route</h2>
      <QueryState query={breakdown} what="the breakdown" isEmpty={(d) => d.groups.length === 0} empty="No traffic in this range.">
        {(d) => (
          <Breakdown
            groups={d.groups}
            truncated={d.truncated}
            onPick={(s, r) => {
              setService(s);
              setRoute(r);
            }}
          />
        )}
      </QueryState>
    </>
  );
}
