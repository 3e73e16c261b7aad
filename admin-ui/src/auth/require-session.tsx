/** Guards the console's pages: without a session, go to sign-in and come back to this page afterwards. */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { sessionWasLost } from '../api/client';
import { sessionQuery } from '../api/session-api';
import { ErrorAlert } from '../components/query-state';

/** Renders children for a signed-in admin; otherwise redirects to `/sign-in?next=<this page>`. */
export function RequireSession({ children }: { children: ReactNode }) {
  const q = useQuery(sessionQuery);
  const loc = useLocation();
  if (q.isPending) return <p role="status">Checking your session…</p>;
  if (q.error) return <main className="signin"><ErrorAlert error={q.error} onRetry={() => void q.refetch()} retrying={q.isFetching} /></main>;
  if (!q.data) {
    const next = loc.pathname + loc.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}${sessionWasLost() ? '&expired=1' : ''}`} replace />;
  }
  return <>{children}</>;
}

/** Where to go after sign-in: the `next` parameter when it is a path on this site, else the start page. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : '/';
}
