/** The console's routes; every page is its own lazily loaded chunk (keeps the initial JavaScript small). */
import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate, useParams, type RouteObject } from 'react-router';
import { RequireSession } from './auth/require-session';
import { AppShell } from './shell/app-shell';

const page = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({ lazy: async () => ({ Component: (await load()).default }) });

function ServiceIndex() {
  const { service } = useParams();
  return <Navigate to={`/services/${encodeURIComponent(service ?? '')}/api-keys`} replace />;
}

/** The route table (exported for tests, which use a memory router). */
export const routes: RouteObject[] = [
  { path: '/sign-in', hydrateFallbackElement: <p role="status">Loading…</p>, ...page(() => import('./auth/sign-in-page')) },
  {
    hydrateFallbackElement: <p role="status">Loading…</p>,
    element: (
      <RequireSession>
        <AppShell />
      </RequireSession>
    ),
    children: [
      { index: true, ...page(() => import('./pages/services-page')) },
      { path: '/principals', ...page(() => import('./pages/principals-page')) },
      { path: '/overview', ...page(() => import('./pages/overview-page')) },
      { path: '/access-logs', ...page(() => import('./pages/access-logs-page')) },
      { path: '/live-tail', ...page(() => import('./pages/live-tail-page')) },
      { path: '/audit', ...page(() => import('./pages/audit-page')) },
      { path: '/admin-users', ...page(() => import('./pages/admin-users-page')) },
      { path: '/tokens', ...page(() => import('./pages/tokens-page')) },
      { path: '/services/:service', element: <ServiceIndex /> },
      { path: '/services/:service/api-keys', ...page(() => import('./pages/api-keys-page')) },
      { path: '/services/:service/roles', ...page(() => import('./pages/roles-page')) },
      { path: '/services/:service/rate-limits', ...page(() => import('./pages/rate-limits-page')) },
      { path: '/services/:service/config', ...page(() => import('./pages/service-config-page')) },
      { path: '/services/:service/fleet', ...page(() => import('./pages/fleet-page')) },
      { path: '/services/:service/bundles', ...page(() => import('./pages/bundles-page')) },
      { path: '/services/:service/simulator', ...page(() => import('./pages/simulator-page')) },
      { path: '*', element: <p role="alert">No such page. Pick one from the menu.</p> },
    ],
  },
];

/** The browser router of the running console. */
export const createConsoleRouter = () => createBrowserRouter(routes);
