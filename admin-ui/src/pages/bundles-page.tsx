/** Platform engineer: revision history, a side-by-side diff of any two revisions, rollback confirmed with the diff, and who applied it. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Label, ListBox, ListBoxItem, Popover, Select, SelectValue } from 'react-aria-components';
import { useParams } from 'react-router';
import { fleetQuery, revisionDiffQuery, revisionsQuery, rollbackTo } from '../api/bundles-api';
import type { Revision } from '../api/types';
import { useCan } from '../auth/use-session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { DiffView } from '../components/diff-view';
import { ErrorAlert, QueryState } from '../components/query-state';

function RevisionSelect({ label, revisions, value, onChange }: { label: string; revisions: readonly Revision[]; value: number; onChange: (r: number) => void }) {
  return (
    <Select selectedKey={value} onSelectionChange={(k) => onChange(Number(k))}>
      <Label>{label}</Label>
      <Button>
        <SelectValue />
      </Button>
      <Popover>
        <ListBox items={revisions.map((r) => ({ id: r.revision, r }))}>{(i) => <ListBoxItem id={i.id}>{`revision ${i.id}`}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}

function RevisionDiff({ service, from, to }: { service: string; from: number; to: number }) {
  const diff = useQuery(revisionDiffQuery(service, from, to));
  return (
    <QueryState query={diff} what="the diff">
      {(d) => <DiffView changes={d.changes} caption={`changes from revision ${from} to ${to}`} beforeLabel={`Revision ${from}`} afterLabel={`Revision ${to}`} />}
    </QueryState>
  );
}

/** The page. */
export default function BundlesPage() {
  const service = useParams().service!;
  const revisions = useQuery(revisionsQuery(service));
  return (
    <>
      <h1>Bundles of {service}</h1>
      <QueryState query={revisions} what="revisions" isEmpty={(r) => r.items.length === 0} empty="Nothing published yet.">
        {(r) => <Revisions service={service} items={r.items} />}
      </QueryState>
    </>
  );
}

function Revisions({ service, items }: { service: string; items: readonly Revision[] }) {
  const canEdit = useCan('platform:write');
  const qc = useQueryClient();
  const fleet = useQuery(fleetQuery(service));
  const latest = items[0]!.revision;
  const [from, setFrom] = useState(items[1]?.revision ?? latest);
  const [to, setTo] = useState(latest);
  const rollback = useMutation({
    mutationFn: (rev: number) => rollbackTo(service, rev),
    onSettled: () => qc.invalidateQueries({ queryKey: ['services', service] }),
  });
  const appliedBy = (rev: number) => (fleet.data ?? []).filter((s) => s.appliedRevision === rev).map((s) => s.instanceId);
  return (
    <>
      <h2>Compare revisions</h2>
      <div className="row">
        <RevisionSelect label="From" revisions={items} value={from} onChange={setFrom} />
        <RevisionSelect label="To" revisions={items} value={to} onChange={setTo} />
      </div>
      <RevisionDiff service={service} from={from} to={to} />
      <h2>History</h2>
      {rollback.error && <ErrorAlert error={rollback.error} onRetry={() => rollback.variables !== undefined && rollback.mutate(rollback.variables)} retrying={rollback.isPending} />}
      {rollback.isSuccess && (
        <p className="notice" role="status">
          Rolled back: published as revision {rollback.data?.revision}.
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Revision</th>
            <th scope="col">Published</th>
            <th scope="col">By</th>
            <th scope="col">Applied by sidecars</th>
            {canEdit && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.revision} data-revision={r.revision}>
              <td>
                {r.revision}
                {r.revision === latest && <span className="badge ok"> latest</span>}
                <div className="hint mono">{r.hash.slice(0, 12)}</div>
              </td>
              <td>{new Date(r.createdAt).toLocaleString()}</td>
              <td>{r.createdBy}</td>
              <td>{appliedBy(r.revision).join(', ') || '—'}</td>
              {canEdit && (
                <td>
                  {r.revision !== latest && (
                    <ConfirmDialog
                      trigger="Roll back"
                      triggerLabel={`Roll back to revision ${r.revision}`}
                      title={`Roll back ${service} to revision ${r.revision}?`}
                      confirmLabel={`Publish revision ${r.revision} again`}
                      danger
                      onConfirm={() => rollback.mutate(r.revision)}
                    >
                      <p>This publishes the content of revision {r.revision} as a new revision; every sidecar applies it. What changes against the latest:</p>
                      <RevisionDiff service={service} from={latest} to={r.revision} />
                    </ConfirmDialog>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
