/** The sidecar credentials of one service: list, create (token shown once), revoke with confirmation. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { fieldMessage } from '../../api/api-error';
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
  const [local, setLocal] = useState<string | undefined>();
  const refresh = () => void qc.invalidateQueries({ queryKey: sidecarCredentialsQuery(service).queryKey });
  const create = useMutation({
    mutationFn: () => createSidecarCredential(service, name.trim()),
    onSuccess: (c) => {
      setToken(c.token);
      setName('');
    },
    onSettled: refresh,
  });
  const nameError = local ?? fieldMessage(create.error, 'name');
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
      {revoke.error && <ErrorAlert error={revoke.error} onRetry={() => revoke.variables && revoke.mutate(revoke.variables)} retrying={revoke.isPending} />}
      {canEdit && (
        <Form
          validationBehavior="aria"
          className="row"
          aria-label={`New sidecar credential for ${service}`}
          onSubmit={(e) => {
            e.preventDefault();
            const problem = !name.trim() ? 'Enter a name for the credential, e.g. the environment it is for' : name.trim().length > 128 ? 'At most 128 characters' : undefined;
            setLocal(problem);
            if (!problem) create.mutate();
          }}
        >
          <TextField value={name} onChange={setName} isRequired isInvalid={!!nameError}>
            <Label>Credential name</Label>
            <Input />
            <FieldError className="field-error">{nameError}</FieldError>
          </TextField>
          <Button type="submit" isDisabled={create.isPending}>
            Create credential
          </Button>
          {create.error && !nameError && <ErrorAlert error={create.error} onRetry={() => create.mutate()} retrying={create.isPending} />}
        </Form>
      )}
    </>
  );
}
