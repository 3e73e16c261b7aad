/** Loading, error-with-retry and empty states for any TanStack query; renders children only with data. */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { describeError } from '../api/api-error';

export interface QueryStateProps<T> {
  query: Pick<UseQueryResult<T>, 'data' | 'error' | 'isPending' | 'refetch' | 'isFetching'>;
  /** what is loading, e.g. "API keys" */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}

/** Shows the state of `query`: a status line while loading, the error and a Retry button, the empty message, or the data. */
export function QueryState<T>({ query, what, isEmpty, empty, children }: QueryStateProps<T>) {
  if (query.isPending) return <p role="status">Loading {what}…</p>;
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  const data = query.data as T;
  if (isEmpty?.(data)) return <p className="hint">{empty ?? `No ${what} yet.`}</p>;
  return <>{children(data)}</>;
}

/** An error message with an optional Retry button. */
export function ErrorAlert({ error, onRetry, retrying }: { error: unknown; onRetry?: () => void; retrying?: boolean }) {
  return (
    <div className="alert" role="alert">
      <span>{describeError(error)}</span>{' '}
      {onRetry && (
        <button type="button" onClick={onRetry} disabled={retrying}>
          {retrying ? 'Retrying…' : 'Retry'}
        </button>
      )}
    </div>
  );
}
