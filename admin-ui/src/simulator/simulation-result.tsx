/** One simulated request's answer: status, reason, normalised path, route, each stage, and the rate-limit buckets. */
import type { SimResult } from './simulate-request';

/** The result panel. */
export function SimulationResult({ r }: { r: SimResult }) {
  return (
    <section className="card" aria-label="Simulated decision" aria-live="polite">
      <p>
        <strong data-testid="sim-status">{r.status === 'forward' ? 'Forwarded to the upstream' : `Answered ${r.status}`}</strong> · reason{' '}
        <code data-testid="sim-reason">{r.reason}</code>
      </p>
      <dl className="row">
        <div>
          <dt className="label">Normalised path</dt>
          <dd className="mono">{r.normalisedPath ?? '—'}</dd>
        </div>
        <div>
          <dt className="label">Matched route</dt>
          <dd className="mono">{r.routeId ?? '—'}</dd>
        </div>
        <div>
          <dt className="label">Rate-limit buckets</dt>
          <dd className="mono">{r.rateLimitBuckets.join(', ') || '—'}</dd>
        </div>
      </dl>
      <table>
        <caption className="sr-only">Stages in the order the sidecar runs them</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {r.stages.map((s) => (
            <tr key={s.name}>
              <th scope="row">{s.name}</th>
              <td>
                <span className={`badge ${s.outcome === 'continue' ? 'ok' : s.outcome === 'respond' ? 'bad' : ''}`}>{s.outcome}</span>
              </td>
              <td className="mono">{s.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
