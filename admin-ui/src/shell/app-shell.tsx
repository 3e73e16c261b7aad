/** The signed-in frame: navigation by admin role, the service picker, who is signed in, sign-out. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'react-aria-components';
import { NavLink, Outlet, useNavigate, useParams } from 'react-router';
import { servicesQuery } from '../api/services-api';
import { signOut } from '../api/session-api';
import { roleCan } from '../auth/admin-permissions';
import { useSession } from '../auth/use-session';
import { ErrorAlert } from '../components/query-state';
import { ServicePicker } from './service-picker';

interface NavItem {
  to: string;
  label: string;
}

/** The service pages, in menu order. */
export const SERVICE_PAGES: readonly NavItem[] = [
  { to: 'api-keys', label: 'API keys' },
  { to: 'roles', label: 'Roles' },
  { to: 'config', label: 'Routes & upstreams' },
  { to: 'fleet', label: 'Fleet' },
  { to: 'bundles', label: 'Bundles' },
  { to: 'simulator', label: 'Simulator' },
];

/** The layout route of every signed-in page. */
export function AppShell() {
  const session = useSession();
  const services = useQuery(servicesQuery);
  const { service } = useParams();
  const current = service ?? services.data?.[0]?.name;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const out = useMutation({
    mutationFn: signOut,
    onSettled: () => {
      qc.clear();
      void navigate('/sign-in', { replace: true });
    },
  });
  const role = session?.role;
  return (
    <div className="shell">
      <nav className="shell-nav" aria-label="Main">
        <span className="brand">AgentCore Console</span>
        <ul>
          <li>
            <NavLink to="/" end>
              Services
            </NavLink>
          </li>
          <li>
            <NavLink to="/principals">Principals</NavLink>
          </li>
        </ul>
        {current && (
          <>
            <p className="group" id="nav-service">
              Service {current}
            </p>
            <ul aria-labelledby="nav-service">
              {SERVICE_PAGES.map((p) => (
                <li key={p.to}>
                  <NavLink to={`/services/${encodeURIComponent(current)}/${p.to}`}>{p.label}</NavLink>
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="group" id="nav-audit">
          Audit
        </p>
        <ul aria-labelledby="nav-audit">
          {roleCan(role, 'logs:read') && (
            <li>
              <NavLink to="/access-logs">Access logs</NavLink>
            </li>
          )}
          {roleCan(role, 'logs:read') && (
            <li>
              <NavLink to="/live-tail">Live tail</NavLink>
            </li>
          )}
          <li>
            <NavLink to="/audit">Audit trail</NavLink>
          </li>
        </ul>
      </nav>
      <div className="shell-main">
        <header className="topbar">
          <ServicePicker />
          <div className="row">
            <span>
              Signed in as <strong>{session?.username}</strong> <span className="badge">{role}</span>
            </span>
            <Button onPress={() => out.mutate()} isDisabled={out.isPending}>
              Sign out
            </Button>
          </div>
        </header>
        {services.error && <ErrorAlert error={services.error} onRetry={() => void services.refetch()} />}
        <main>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
