/** The upstreams of a service: targets with weights, balancing, health check. */
import { useQuery } from '@tanstack/react-query';
import { upstreamsQuery } from '../../api/services-api';
import { QueryState } from '../../components/query-state';

interface UpstreamShape {
  targets?: { name: string; url: string; weight?: number }[];
  loadBalancing?: { algorithm?: string };
  healthCheck?: unknown;
}

/** The table (read-only). */
export function UpstreamsTable({ service }: { service: string }) {
  const upstreams = useQuery(upstreamsQuery(service));
  return (
    <QueryState query={upstreams} what="upstreams" isEmpty={(u) => u.length === 0} empty="No upstreams: routes go to each sidecar's local backend.">
      {(items) => (
        <table>
          <thead>
            <tr>
              <th scope="col">Upstream</th>
              <th scope="col">Targets (weight)</th>
              <th scope="col">Balancing</th>
              <th scope="col">Health check</th>
            </tr>
          </thead>
          <tbody>
            {items.map((u) => {
              const d = u.definition as UpstreamShape;
              return (
                <tr key={u.id}>
                  <td>
                    <code>{u.id}</code>
                  </td>
                  <td>{d.targets?.map((t) => `${t.name} ${t.url} (${t.weight ?? 1})`).join('; ') ?? 'local backend'}</td>
                  <td>{d.loadBalancing?.algorithm ?? 'round-robin'}</td>
                  <td className="mono">{d.healthCheck ? JSON.stringify(d.healthCheck) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}
