/**
 * The Overview's three charts (Recharts, SVG): traffic (requests, denials, 429s), denials by reason, and
 * p50/p99 latency. Each is a labelled figure whose picture has a text summary, with the same numbers
 * in a table below it for screen readers and keyboard users.
 */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { bucketLabel, type ChartRow } from './overview-series';

const PALETTE = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)', 'var(--chart-7)'];

interface SeriesSpec {
  key: string;
  label: string;
}

function ChartFigure({ id, title, summary, rows, series, bucketMs, unit, children }: { id: string; title: string; summary: string; rows: ChartRow[]; series: SeriesSpec[]; bucketMs: number; unit?: string; children: ReactNode }) {
  const withData = rows.filter((r) => series.some((s) => (r[s.key] ?? 0) !== 0));
  return (
    <figure className="card chart" aria-labelledby={`${id}-title`} data-testid={id}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      <div role="img" aria-label={`${title}: ${summary}`} className="chart-canvas">
        <ResponsiveContainer width="100%" height={220}>
          {children}
        </ResponsiveContainer>
      </div>
      <details>
        <summary>{title} as a table</summary>
        {withData.length === 0 ? (
          <p className="hint">No values in this range.</p>
        ) : (
          <table>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Bucket</th>
                {series.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                    {unit ? ` (${unit})` : ''}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {withData.map((r) => (
                <tr key={r.at}>
                  <th scope="row">{bucketLabel(r.at, bucketMs)}</th>
                  {series.map((s) => (
                    <td key={s.key}>{r[s.key] ?? '–'}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </figure>
  );
}

const axisProps = (bucketMs: number) => ({
  dataKey: 'at',
  tickFormatter: (at: number) => bucketLabel(at, bucketMs),
  stroke: 'var(--muted)',
  minTickGap: 24,
});
const tooltipProps = (bucketMs: number) => ({
  labelFormatter: (at: unknown) => bucketLabel(Number(at), bucketMs),
  contentStyle: { background: 'var(--bg)', border: '1px solid var(--line)', color: 'var(--fg)' },
});

const sum = (rows: ChartRow[], k: string) => rows.reduce((a, r) => a + Number(r[k] ?? 0), 0);
const peak = (rows: ChartRow[], k: string) => rows.reduce((a, r) => Math.max(a, Number(r[k] ?? 0)), 0);

/** Requests, denials and 429s per bucket. */
export function TrafficChart({ rows, bucketMs }: { rows: ChartRow[]; bucketMs: number }) {
  const series = [
    { key: 'requests', label: 'Requests' },
    { key: 'denied', label: 'Denied' },
    { key: 'rateLimited', label: '429s' },
  ];
  const summary = `${sum(rows, 'requests')} requests, ${sum(rows, 'denied')} denied, ${sum(rows, 'rateLimited')} answered 429; at most ${peak(rows, 'requests')} requests in one bucket`;
  return (
    <ChartFigure id="chart-traffic" title="Requests, denials and 429s" summary={summary} rows={rows} series={series} bucketMs={bucketMs}>
      <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--line)" strokeDasharray="3 3" />
        <XAxis {...axisProps(bucketMs)} />
        <YAxis stroke="var(--muted)" allowDecimals={false} />
        <Tooltip {...tooltipProps(bucketMs)} />
        <Legend />
        {series.map((s, i) => (
          <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={PALETTE[i]} dot={false} isAnimationActive={false} strokeWidth={2} />
        ))}
      </LineChart>
    </ChartFigure>
  );
}

/** Denials per reason code per bucket, stacked. */
export function ReasonsChart({ rows, reasons, bucketMs }: { rows: ChartRow[]; reasons: string[]; bucketMs: number }) {
  const series = reasons.map((r) => ({ key: `reason:${r}`, label: r }));
  const summary = reasons.length === 0 ? 'no denials' : series.map((s) => `${s.label} ${sum(rows, s.key)}`).join(', ');
  return (
    <ChartFigure id="chart-reasons" title="Denials by reason" summary={summary} rows={rows} series={series} bucketMs={bucketMs}>
      <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--line)" strokeDasharray="3 3" />
        <XAxis {...axisProps(bucketMs)} />
        <YAxis stroke="var(--muted)" allowDecimals={false} />
        <Tooltip {...tooltipProps(bucketMs)} />
        <Legend />
        {series.map((s, i) => (
          <Bar key={s.key} dataKey={s.key} name={s.label} stackId="reasons" fill={PALETTE[(i + 1) % PALETTE.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFigure>
  );
}

/** p50 and p99 latency per bucket (ms, approximate: histogram bucket midpoints); dots, since a bucket between two without traffic draws no line. */
export function LatencyChart({ rows, bucketMs }: { rows: ChartRow[]; bucketMs: number }) {
  const series = [
    { key: 'p50', label: 'p50' },
    { key: 'p99', label: 'p99' },
  ];
  const summary = `highest p50 ${peak(rows, 'p50')} ms, highest p99 ${peak(rows, 'p99')} ms`;
  return (
    <ChartFigure id="chart-latency" title="Latency p50 / p99 (ms)" summary={summary} rows={rows} series={series} bucketMs={bucketMs} unit="ms">
      <LineChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--line)" strokeDasharray="3 3" />
        <XAxis {...axisProps(bucketMs)} />
        <YAxis stroke="var(--muted)" />
        <Tooltip {...tooltipProps(bucketMs)} />
        <Legend />
        {series.map((s, i) => (
          <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={PALETTE[i + 3]} dot={{ r: 2, fill: PALETTE[i + 3] }} connectNulls={false} isAnimationActive={false} strokeWidth={2} />
        ))}
      </LineChart>
    </ChartFigure>
  );
}
