/** Security admin: the API keys of a service — create (secret shown once), expiry, last use, rotate, revoke. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { apiKeysQuery } from '../api/keys-api';
import type { CreatedApiKey } from '../api/types';
import { useCan } from '../auth/use-session';
import { QueryState } from '../components/query-state';
import { SecretOnce } from '../components/secret-once';
import { ApiKeyActions } from './api-keys/api-key-actions';
import { CreateApiKeyForm } from './api-keys/create-api-key-form';

const when = (iso: string | null | undefined, none = '—') => (iso ? new Date(iso).toLocaleString() : none);
const STATE_CLASS: Record<string, string> = { active: 'ok', revoked: 'bad', expired: 'bad', 'not-yet-valid': 'warn' };

/** The page. */
export default function ApiKeysPage() {
  const service = useParams().service!;
  const canEdit = useCan('security:write');
  const keys = useQuery(apiKeysQuery(service));
  const [fresh, setFresh] = useState<CreatedApiKey | null>(null);
  return (
    <>
      <h1>API keys of {service}</h1>
      {fresh && <SecretOnce label={`Secret of key ${fresh.id}`} secret={fresh.secret} onDone={() => setFresh(null)} />}
      {canEdit && !fresh && <CreateApiKeyForm service={service} onCreated={setFresh} />}
      <h2>Keys</h2>
      <QueryState query={keys} what="API keys" isEmpty={(k) => k.length === 0} empty="No API keys yet.">
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Principal</th>
                <th scope="col">Roles</th>
                <th scope="col">State</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                {canEdit && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr key={k.id} data-key-id={k.id}>
                  <td>
                    <code>{k.id}</code>
                    <div className="hint mono">{k.prefix}…</div>
                  </td>
                  <td>{k.principal}</td>
                  <td>{k.roles.join(', ') || '—'}</td>
                  <td>
                    <span className={`badge ${STATE_CLASS[k.state] ?? ''}`}>{k.state}</span>
                  </td>
                  <td>{when(k.expiresAt, 'never')}</td>
                  <td>{when(k.lastUsedAt, 'never')}</td>
                  {canEdit && (
                    <td>
                      <ApiKeyActions service={service} apiKey={k} onRotated={setFresh} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}
