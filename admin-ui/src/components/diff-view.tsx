/** A side-by-side before/after table of changes (bundle revisions, audit events, a conflicting save). */
import type { JsonChange } from './json-changes';

const show = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** Renders `changes` as rows of path | before | after; says so when there are none. */
export function DiffView({ changes, caption, beforeLabel = 'Before', afterLabel = 'After' }: { changes: readonly JsonChange[]; caption: string; beforeLabel?: string; afterLabel?: string }) {
  if (changes.length === 0) return <p className="hint">No differences.</p>;
  return (
    <table className="diff">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Path</th>
          <th scope="col">{beforeLabel}</th>
          <th scope="col">{afterLabel}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={`${c.op}:${c.path}`} data-op={c.op}>
            <th scope="row" className="mono">
              {c.path} <span className="hint">({c.op})</span>
            </th>
            <td className={c.op === 'added' ? '' : 'before'}>
              <pre>{show(c.before)}</pre>
            </td>
            <td className={c.op === 'removed' ? '' : 'after'}>
              <pre>{show(c.after)}</pre>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
