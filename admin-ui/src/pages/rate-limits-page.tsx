/** Security admin: the rate limits and quotas of a service — list, create, edit (If-Match, 412 dialog), delete (confirmed). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useParams } from 'react-router';
import { describeError } from '../api/api-error';
import { etagOfVersion } from '../api/etag';
import { deleteRateLimit, rateLimitsQuery, type StoredRateLimit } from '../api/rate-limits-api';
import { routesQuery } from '../api/services-api';
import { useCan } from '../auth/use-session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { QueryState } from '../components/query-state';
import { RateLimitForm } from './rate-limits/rate-limit-form';
import { formOf } from './rate-limits/rate-limit-form-schema';

type Definition = StoredRateLimit['definition'];

const rateText = (d: Definition) => (d.rate ? `${d.rate.requests} per ${d.rate.periodSeconds} s` : '—');
const quotaText = (d: Definition) => d.quotas.map((q) => `${q.requests.toLocaleString('en')} per ${q.period}`).join(', ') || '—';

/** Delete with a confirmation naming the routes that lose the limit (the API's cascade). */
function DeleteRateLimit({ service, limit, usedBy }: { service: string; limit: StoredRateLimit; usedBy: string[] }) {
  const qc = useQueryClient();
  const del = useMutation({
    mutationFn: () => deleteRateLimit(service, limit.id, etagOfVersion(limit.version), usedBy.length > 0),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: rateLimitsQuery(service).queryKey });
      void qc.invalidateQueries({ queryKey: routesQuery(service).queryKey });
    },
  });
  return (
    <>
      <ConfirmDialog trigger="Delete" triggerLabel={`Delete rate limit ${limit.id}`} title={`Delete rate limit ${limit.id}?`} confirmLabel="Delete rate limit" danger onConfirm={() => del.mutate()}>
        <p>
          {usedBy.length
            ? `Routes ${usedBy.join(', ')} refer to it: they lose this limit and sidecars stop enforcing it within a second.`
            : 'No route refers to it.'}{' '}
          This cannot be undone.
        </p>
      </ConfirmDialog>
      {del.error && (
        <span role="alert" className="field-error">
          {describeError(del.error)}{' '}
          <Button onPress={() => del.mutate()} isDisabled={del.isPending}>
            Retry
          </Button>
        </span>
      )}
    </>
  );
}

function RateLimitTable({ service, items, onEdit }: { service: string; items: StoredRateLimit[]; onEdit: ((l: StoredRateLimit) => void) | null }) {
  const routes = useQuery(routesQuery(service));
  const usedBy = (id: string) => (routes.data ?? []).filter((r) => r.definition.rateLimits?.includes(id)).map((r) => r.id);
  return (
    <table>
      <caption className="sr-only">Rate limits of {service}</caption>
      <thead>
        <tr>
          <th scope="col">Id</th>
          <th scope="col">Counted per</th>
          <th scope="col">Rate</th>
          <th scope="col">Burst</th>
          <th scope="col">Quotas</th>
          <th scope="col">Used by routes</th>
          {onEdit && <th scope="col">Actions</th>}
        </tr>
      </thead>
      <tbody>
        {items.map((l) => {
          const d = l.definition;
          const used = usedBy(l.id);
          return (
            <tr key={l.id} data-rate-limit-id={l.id}>
              <td>
                <code>{l.id}</code>
              </td>
              <td>{d.scope.join(' + ') || 'whole service'}</td>
              <td>
                {rateText(d)}
                {d.rate && <div className="hint">{d.algorithm}</div>}
              </td>
              <td>{d.rate && d.algorithm === 'gcra' ? (d.rate.burst ?? d.rate.requests) : '—'}</td>
              <td>{quotaText(d)}</td>
              <td>{routes.isPending ? '…' : used.join(', ') || <span className="hint">none: not enforced yet</span>}</td>
              {onEdit && (
                <td>
                  <div className="row">
                    <Button aria-label={`Edit rate limit ${l.id}`} onPress={() => onEdit(l)}>
                      Edit
                    </Button>
                    <DeleteRateLimit service={service} limit={l} usedBy={used} />
                  </div>
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The page. */
export default function RateLimitsPage() {
  const service = useParams().service!;
  const canEdit = useCan('security:write');
  const limits = useQuery(rateLimitsQuery(service));
  // null: no form open; 'new': the create form; a stored limit: its edit form
  const [open, setOpen] = useState<'new' | StoredRateLimit | null>(null);
  return (
    <>
      <h1>Rate limits and quotas of {service}</h1>
      <p className="hint">A limit applies to the routes that name it (routes are edited by platform engineers); sidecars enforce a change within about a second.</p>
      {canEdit && open === null && (
        <Button className="react-aria-Button primary" onPress={() => setOpen('new')}>
          New rate limit
        </Button>
      )}
      {canEdit && open !== null && (
        <RateLimitForm
          key={open === 'new' ? 'new' : `${open.id}@${open.version}`}
          service={service}
          editing={open === 'new' ? null : { values: formOf(open.definition), etag: etagOfVersion(open.version) }}
          onDone={() => setOpen(null)}
        />
      )}
      <h2>Limits</h2>
      <QueryState query={limits} what="rate limits" isEmpty={(l) => l.length === 0} empty="No rate limits yet.">
        {(items) => <RateLimitTable service={service} items={items} onEdit={canEdit ? setOpen : null} />}
      </QueryState>
    </>
  );
}
