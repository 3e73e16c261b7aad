/** Platform engineer: the routes (create with a live path check, delete) and upstreams (targets, weights, health) of a service. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { deleteRoute, routesQuery } from '../api/services-api';
import { useCan } from '../auth/use-session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { ErrorAlert, QueryState } from '../components/query-state';
import { CreateRouteForm } from './config/create-route-form';
import { UpstreamsTable } from './config/upstreams-table';


/** The page. */
export default function ServiceConfigPage() {
  const service = useParams().service!;
  const canEdit = useCan('platform:write');
  const qc = useQueryClient();
  const routes = useQuery(routesQuery(service));
  const remove = useMutation({ mutationFn: (id: string) => deleteRoute(service, id), onSettled: () => qc.invalidateQueries({ queryKey: routesQuery(service).queryKey }) });
  return (
    <>
      <h1>Routes &amp; upstreams of {service}</h1>
      {canEdit && <CreateRouteForm service={service} />}
      <h2>Routes</h2>
      {remove.error && <ErrorAlert error={remove.error} />}
      <QueryState query={routes} what="routes" isEmpty={(r) => r.length === 0} empty="No routes yet.">
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">Methods</th>
                <th scope="col">Path</th>
                <th scope="col">Permissions</th>
                <th scope="col">Auth</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <code>{r.id}</code>
                  </td>
                  <td>{r.definition.match.methods?.join(', ') ?? 'any'}</td>
                  <td className="mono">
                    {r.definition.match.path} <span className="hint">({r.definition.match.kind})</span>
                  </td>
                  <td>{r.definition.permissions?.join(', ') || '—'}</td>
                  <td>{r.definition.auth?.required === false ? 'public' : 'required'}</td>
                  {canEdit && (
                    <td>
                      <ConfirmDialog trigger="Delete" triggerLabel={`Delete route ${r.id}`} title={`Delete route ${r.id}?`} confirmLabel="Delete route" danger onConfirm={() => remove.mutate(r.id)}>
                        <p>Sidecars stop serving {r.definition.match.path} within a second (404).</p>
                      </ConfirmDialog>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
      <h2>Upstreams</h2>
      <UpstreamsTable service={service} />
    </>
  );
}
