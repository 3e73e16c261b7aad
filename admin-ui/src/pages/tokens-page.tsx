/** Every admin: their own personal access tokens — list, create (the secret shown once with Copy), revoke (confirmed). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeError } from '../api/api-error';
import { revokeToken, tokensQuery, type CreatedPersonalAccessToken, type PersonalAccessToken } from '../api/tokens-api';
import { useSession } from '../auth/use-session';
import { ConfirmDialog } from '../components/confirm-dialog';
import { QueryState } from '../components/query-state';
import { SecretOnce } from '../components/secret-once';
import { CreateTokenForm } from './tokens/create-token-form';

const when = (iso: string | null, none: string) => (iso ? new Date(iso).toLocaleString() : none);

function RevokeToken({ token }: { token: PersonalAccessToken }) {
  const qc = useQueryClient();
  const revoke = useMutation({ mutationFn: () => revokeToken(token.id), onSettled: () => qc.invalidateQueries({ queryKey: tokensQuery.queryKey }) });
  return (
    <div className="row">
      <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke token ${token.name}`} title={`Revoke token ${token.name}?`} confirmLabel="Revoke token" danger onConfirm={() => revoke.mutate()}>
        <p>Requests made with it fail from the next one on. This cannot be undone.</p>
      </ConfirmDialog>
      {revoke.error && (
        <span role="alert" className="field-error">
          {describeError(revoke.error)}{' '}
          <button type="button" onClick={() => revoke.mutate()} disabled={revoke.isPending}>
            Retry
          </button>
        </span>
      )}
    </div>
  );
}

function TokenTable({ items }: { items: PersonalAccessToken[] }) {
  const now = Date.now();
  return (
    <table>
      <caption className="sr-only">My access tokens</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Token</th>
          <th scope="col">Created</th>
          <th scope="col">Expires</th>
          <th scope="col">Last used</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {items.map((t) => {
          const expired = t.expiresAt !== null && Date.parse(t.expiresAt) <= now;
          return (
            <tr key={t.id} data-token-id={t.id}>
              <td>{t.name}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{when(t.createdAt, '—')}</td>
              <td>{expired ? <span className="badge bad">expired</span> : when(t.expiresAt, 'never')}</td>
              <td>{when(t.lastUsedAt, 'never')}</td>
              <td>
                <RevokeToken token={t} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The page. */
export default function TokensPage() {
  const session = useSession();
  const tokens = useQuery(tokensQuery);
  const [fresh, setFresh] = useState<CreatedPersonalAccessToken | null>(null);
  return (
    <>
      <h1>My access tokens</h1>
      <p className="hint">
        A personal access token lets scripts call the admin API as {session?.username ?? 'you'}, with your admin role at the time of each call: send{' '}
        <code>Authorization: Bearer agc_pat_…</code>. Only a signed-in session can create one.
      </p>
      {fresh ? <SecretOnce label={`Token ${fresh.name}`} secret={fresh.token} onDone={() => setFresh(null)} /> : <CreateTokenForm onCreated={setFresh} />}
      <h2>Tokens</h2>
      <QueryState query={tokens} what="access tokens" isEmpty={(t) => t.length === 0} empty="No access tokens yet.">
        {(items) => <TokenTable items={items} />}
      </QueryState>
    </>
  );
}
