/** The signed-in frame: navigation by admin role, the service picker, who is signed in, sign-out. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button } from 'react-aria-components';
import { Outlet, useNavigate, useParams } from 'react-router';
import { servicesQuery } from '../api/services-api';
import { signOut } from '../api/session-api';
import { useSession } from '../auth/use-session';
import { ErrorAlert } from '../components/query-state';
import { MainNav } from './main-nav';
import { ServicePicker } from './service-picker';

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
      <MainNav current={current} role={role} />
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
