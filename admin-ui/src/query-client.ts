/** The console's one QueryClient: no retry on 4xx answers (they will not change by retrying), a short stale time. */
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from './api/api-error';
import { onSessionExpired } from './api/client';
import { sessionQuery } from './api/session-api';

/** A QueryClient wired to the session-expiry signal (a 401 anywhere signs the console out and shows sign-in). */
export function createQueryClient(): QueryClient {
  const qc = new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 1, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  onSessionExpired(() => qc.setQueryData(sessionQuery.queryKey, null));
  return qc;
}
