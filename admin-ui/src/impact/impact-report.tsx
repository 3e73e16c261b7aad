/** The result of an impact replay: a summary, the flipped requests, and the records that could not be replayed. */
import type { Flip, ImpactReport, ReplayOutcome, ReplayRecord, Unreplayable } from './replay-access-log';

/** Rows shown at most per table (the counts above them are complete). */
const SHOWN = 500;

const answer = (o: ReplayOutcome) => (o.status === 'forward' ? `forwarded (${o.reason})` : `${o.status} ${o.reason}`);
const caller = (r: ReplayRecord) => (r.apiKeyId ? `${r.principal ?? '?'} (key ${r.apiKeyId})` : (r.principal ?? 'anonymous'));
const KIND_CLASS: Record<Flip['kind'], string> = { 'allowed→denied': 'bad', 'denied→allowed': 'warn', changed: 'warn' };

function FlipTable({ flips, currentLabel, changedLabel }: { flips: readonly Flip[]; currentLabel: string; changedLabel: string }) {
  return (
    <table aria-label="Requests whose decision would change">
      <thead>
        <tr>
          <th>Time</th>
          <th>Request</th>
          <th>Caller</th>
          <th>Logged</th>
          <th>{currentLabel}</th>
          <th>{changedLabel}</th>
          <th>Change</th>
        </tr>
      </thead>
      <tbody>
        {flips.slice(0, SHOWN).map((f) => (
          <tr key={f.record.id}>
            <td>{f.record.at}</td>
            <td className="mono">
              {f.record.method} {f.record.path}
            </td>
            <td>
              {caller(f.record)}
              {f.approximate && <span className="hint"> · roles from the principal record</span>}
            </td>
            <td>
              {f.record.status} {f.record.reason}
            </td>
            <td>{answer(f.before)}</td>
            <td>{answer(f.after)}</td>
            <td>
              <span className={`badge ${KIND_CLASS[f.kind]}`}>{f.kind}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function UnreplayableList({ items }: { items: readonly Unreplayable[] }) {
  const byWhy = new Map<string, Unreplayable[]>();
  for (const u of items) byWhy.set(u.why, [...(byWhy.get(u.why) ?? []), u]);
  return (
    <>
      <h3>Not replayed ({items.length.toLocaleString('en')})</h3>
      <p className="hint">These records cannot be replayed faithfully from what the log holds; the preview does not guess their outcome.</p>
      <ul aria-label="Records not replayed">
        {[...byWhy].map(([why, list]) => (
          <li key={why}>
            <details>
              <summary>
                {list.length.toLocaleString('en')} × {why}
              </summary>
              <ul>
                {list.slice(0, 50).map((u) => (
                  <li key={u.record.id} className="mono">
                    {u.record.at} {u.record.method} {u.record.path} — {caller(u.record)} — {u.record.status} {u.record.reason}
                  </li>
                ))}
              </ul>
            </details>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The report view. */
export function ImpactReportView({ report, ms, currentLabel, changedLabel }: { report: ImpactReport; ms: number; currentLabel: string; changedLabel: string }) {
  const count = (k: Flip['kind']) => report.flips.filter((f) => f.kind === k).length;
  return (
    <div>
      <p role="status">
        Replayed {report.replayed.toLocaleString('en')} of {report.total.toLocaleString('en')} records in {ms < 1 ? '<1' : Math.round(ms)} ms:{' '}
        {report.flips.length === 0 ? (
          <strong>no decision would change.</strong>
        ) : (
          <strong>
            {report.flips.length.toLocaleString('en')} would change ({count('allowed→denied')} allowed→denied, {count('denied→allowed')} denied→allowed, {count('changed')} with another status or reason).
          </strong>
        )}
      </p>
      {report.approximate > 0 && (
        <p className="notice">
          {report.approximate.toLocaleString('en')} records came from token callers: they were replayed with the roles of their principal record, as the tokens&apos; own claims are not logged.
        </p>
      )}
      {report.drift > 0 && (
        <p className="notice">
          {report.drift.toLocaleString('en')} records are decided differently by {currentLabel} than when they were logged (an earlier revision, or a key or role changed since).
        </p>
      )}
      {report.flips.length > 0 && (
        <>
          <h3>Requests whose decision would change</h3>
          {report.flips.length > SHOWN && <p className="hint">The first {SHOWN} of {report.flips.length.toLocaleString('en')} are shown.</p>}
          <FlipTable flips={report.flips} currentLabel={currentLabel} changedLabel={changedLabel} />
        </>
      )}
      {report.unreplayable.length > 0 && <UnreplayableList items={report.unreplayable} />}
    </div>
  );
}
