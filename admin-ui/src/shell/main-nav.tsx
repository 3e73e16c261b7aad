/** The console's menu: the pages of the chosen service, and the audit pages the admin role may read. */
import { NavLink } from 'react-router';
import type { AdminRole } from '../api/session-api';
import { roleCan } from '../auth/admin-permissions';

interface NavItem {
  to: string;
  label: string;
}

/** The service pages, in menu order. */
export const SERVICE_PAGES: readonly NavItem[] = [
  { to: 'api-keys', label: 'API keys' },
  { to: 'roles', label: 'Roles' },
  { to: 'rate-limits', label: 'Rate limits' },
  { to: 'config', label: 'Routes & upstreams' },
  { to: 'fleet', label: 'Fleet' },
  { to: 'bundles', label: 'Bundles' },
  { to: 'simulator', label: 'Simulator' },
];

/** The navigation landmark. */
export function MainNav({ current, role }: { current: string | undefined; role: AdminRole | undefined }) {
  return (
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
        {roleCan(role, 'admin:manage') && (
          <li>
            <NavLink to="/admin-users">Admin users</NavLink>
          </li>
        )}
        <li>
          <NavLink to="/tokens">Access tokens</NavLink>
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
            <NavLink to="/overview">Overview</NavLink>
          </li>
        )}
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
  );
}
