/** The sidecar credentials of one service: list, create (token shown once), revoke with confirmation. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Form, Input, Label, TextField } from 'react-aria-components';
import { createSidecarCredential, revokeSidecarCredential, sidecarCredentialsQuery } from '../../api/keys-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorAlert, QueryState } from '../../components/query-state';
import { SecretOnce } from '../../components/secret-once';

/** Credentials section of a service card. */
export function SidecarCredentials({ service, canEdit }: { service: string; canEdit: boolean }) {
  const qc = useQueryClient();
  const creds = useQuery(sidecarCredentialsQuery(service));
  const [name, setName] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const refresh = () => void qc.invalidateQueries({ queryKey: sidecarCredentialsQuery(service).queryKey });
  const create = useMutation({
    mutationFn: () => createSidecarCredential(service, name.trim()),
    onSuccess: (c) => {
      setToken(c.token);
      setName('');
    },
    onSettled: refresh,
  });
  const revoke = useMutation({ mutationFn: (id: string) => revokeSidecarCredential(service, id), onSettled: refresh });
  return (
    <>
      <h3>Sidecar credentials</h3>
      {token && <SecretOnce label="New sidecar token" secret={token} onDone={() => setToken(null)} />}
      <QueryState query={creds} what="sidecar credentials" isEmpty={(c) => c.length === 0} empty="No sidecar credentials.">
        {(items) => (
          <ul>
            {items.map((c) => (
              <li key={c.id}>
                <strong>{c.name}</strong> <code>{c.id}</code> — {c.revokedAt ? <span className="badge bad">revoked</span> : <span className="badge ok">active</span>}{' '}
                <span className="hint">last used {c.lastUsedAt ? new Date(c.lastUsedAt).toLocaleString() : 'never'}</span>{' '}
                {canEdit && !c.revokedAt && (
                  <ConfirmDialog trigger="Revoke" triggerLabel={`Revoke sidecar credential ${c.name}`} title={`Revoke sidecar credential ${c.name}?`} confirmLabel="Revoke" danger onConfirm={() => revoke.mutate(c.id)}>
                    <p>Sidecars using it can no longer pull bundles of {service}; they keep their last good policy.</p>
                  </ConfirmDialog>
                )}
              </li>
            ))}
          </ul>
        )}
      </QueryState>
      {revoke.error && <ErrorAlert error={revoke.error} />}
      {canEdit && (
        <Form
          validationBehavior="aria"
          className="row"
          aria-label={`New sidecar credential for ${service}`}
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <TextField value={name} onChange={setName} isRequired>
            <Label>Credential name</Label>
            <Input />
          </TextField>
          <Button type="submit" isDisabled={create.isPending || !name.trim()}>
            Create credential
          </Button>
          {create.error && <ErrorAlert error={create.error} />}
        </Form>
      )}
    </>
  );
}
