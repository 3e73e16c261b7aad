/** Auditor: the admin audit trail, filterable, with a before/after diff of each change. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Disclosure, DisclosurePanel, Form, Heading, Input, Label, TextField } from 'react-aria-components';
import { auditEventsQuery, type AuditFilter } from '../api/logs-api';
import type { AuditEvent } from '../api/types';
import { DiffView } from '../components/diff-view';
import { jsonChanges } from '../components/json-changes';
import { ErrorAlert } from '../components/query-state';

const EMPTY: AuditFilter = { actor: '', action: '', resourceType: '', resourceId: '' };

function AuditRow({ e }: { e: AuditEvent }) {
  const changes = jsonChanges(e.before, e.after);
  return (
    <Disclosure className="card" data-audit-id={e.id} data-action={e.action}>
      <Heading level={3}>
        <Button slot="trigger">
          {new Date(e.at).toLocaleString()} · <strong>{e.actor}</strong> · {e.action} · {e.resourceId ?? e.resourceType}{' '}
          <span className={`badge ${e.outcome === 'allowed' ? 'ok' : 'bad'}`}>{e.outcome}</span>
        </Button>
      </Heading>
      <DisclosurePanel>
        <DiffView changes={changes} caption={`before and after of ${e.action} on ${e.resourceId ?? e.resourceType}`} />
      </DisclosurePanel>
    </Disclosure>
  );
}

/** The page. */
export default function AuditPage() {
  const [draft, setDraft] = useState<AuditFilter>(EMPTY);
  const [filter, setFilter] = useState<AuditFilter>(EMPTY);
  const q = useInfiniteQuery(auditEventsQuery(filter));
  const events = q.data?.pages.flatMap((p) => p.items) ?? [];
  const field = (k: keyof AuditFilter, label: string) => (
    <TextField value={draft[k]} onChange={(v) => setDraft((d) => ({ ...d, [k]: v }))}>
      <Label>{label}</Label>
      <Input />
    </TextField>
  );
  return (
    <>
      <h1>Audit trail</h1>
      <Form
        validationBehavior="aria"
        className="card row"
        aria-label="Filter the audit trail"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        {field('actor', 'Actor')}
        {field('action', 'Action')}
        {field('resourceType', 'Resource type')}
        {field('resourceId', 'Resource id')}
        <Button type="submit" className="react-aria-Button primary">
          Search
        </Button>
      </Form>
      {q.isPending && <p role="status">Loading audit events…</p>}
      {q.error && <ErrorAlert error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} />}
      {!q.isPending && !q.error && events.length === 0 && <p className="hint">No audit events match.</p>}
      {events.map((e) => (
        <AuditRow key={e.id} e={e} />
      ))}
      {q.hasNextPage && (
        <Button onPress={() => void q.fetchNextPage()} isDisabled={q.isFetchingNextPage}>
          {q.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </>
  );
}
