/** Platform engineer: every sidecar of a service — revision applied, up to date or not, last seen, last rejected bundle and why. */
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { fleetQuery } from '../api/bundles-api';
import { QueryState } from '../components/query-state';

/** The page (refreshes every 2 s). */
export default function FleetPage() {
  const service = useParams().service!;
  const fleet = useQuery(fleetQuery(service));
  return (
    <>
      <h1>Fleet of {service}</h1>
      <QueryState query={fleet} what="sidecars" isEmpty={(f) => f.length === 0} empty="No sidecar has reported for this service yet.">
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Sidecar</th>
                <th scope="col">Applied revision</th>
                <th scope="col">Latest revision</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Last rejected bundle</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.instanceId} data-sidecar={s.instanceId}>
                  <td>
                    <code>{s.instanceId}</code>
                    <div className="hint">{s.host}</div>
                  </td>
                  <td data-testid="applied-revision">{s.appliedRevision ?? '—'}</td>
                  <td>{s.latestRevision ?? '—'}</td>
                  <td>
                    {s.stale ? (
                      <span className="badge warn">not seen recently</span>
                    ) : s.upToDate ? (
                      <span className="badge ok">up to date</span>
                    ) : (
                      <span className="badge warn">behind</span>
                    )}
                  </td>
                  <td>{new Date(s.lastSeen).toLocaleString()}</td>
                  <td>{s.rejectedRevision != null ? `revision ${s.rejectedRevision}: ${s.rejectionReason ?? 'no reason given'}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}
