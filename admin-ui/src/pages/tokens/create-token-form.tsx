/** Create a personal access token: what it is for and how many days it lives; the secret comes back once. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { fieldMessage } from '../../api/api-error';
import { createToken, tokensQuery, type CreatedPersonalAccessToken } from '../../api/tokens-api';
import { ErrorAlert } from '../../components/query-state';
import { checkTokenForm, DEFAULT_EXPIRY_DAYS, EXPIRY_MAX_DAYS, type TokenFormValues } from './token-form-schema';

const EMPTY: TokenFormValues = { name: '', expiresInDays: String(DEFAULT_EXPIRY_DAYS) };
const DAY_MS = 86_400_000;

/** The form; `onCreated` receives the answer with the one-time secret. */
export function CreateTokenForm({ onCreated }: { onCreated: (t: CreatedPersonalAccessToken) => void }) {
  const qc = useQueryClient();
  const [v, setV] = useState<TokenFormValues>(EMPTY);
  const [local, setLocal] = useState<Partial<Record<keyof TokenFormValues, string>>>({});
  const create = useMutation({
    mutationFn: createToken,
    onSuccess: (t) => {
      setV(EMPTY);
      onCreated(t);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: tokensQuery.queryKey }),
  });
  const set = (patch: Partial<TokenFormValues>) => setV((old) => ({ ...old, ...patch }));
  const err = (f: keyof TokenFormValues) => local[f] ?? fieldMessage(create.error, f);
  const submit = () => {
    const r = checkTokenForm(v);
    setLocal(r.errors);
    if (r.body) create.mutate(r.body);
  };
  const days = Number(v.expiresInDays);
  const until = Number.isInteger(days) && days >= 1 && days <= EXPIRY_MAX_DAYS ? new Date(Date.now() + days * DAY_MS).toLocaleDateString() : null;
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label="Create an access token"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Create an access token</h2>
      <TextField value={v.name} onChange={(name) => set({ name })} isInvalid={!!err('name')}>
        <Label>Name</Label>
        <Input />
        <Text slot="description" className="hint">
          what it is for, e.g. "CI deploy" or "Prometheus scrape"
        </Text>
        <FieldError className="field-error">{err('name')}</FieldError>
      </TextField>
      <TextField value={v.expiresInDays} onChange={(expiresInDays) => set({ expiresInDays })} isInvalid={!!err('expiresInDays')}>
        <Label>Expires in (days)</Label>
        <Input inputMode="numeric" />
        <Text slot="description" className="hint">
          1 to {EXPIRY_MAX_DAYS}
          {until ? `: valid until ${until}` : ''}
        </Text>
        <FieldError className="field-error">{err('expiresInDays')}</FieldError>
      </TextField>
      {create.error && !Object.keys(local).length && <ErrorAlert error={create.error} onRetry={submit} retrying={create.isPending} />}
      <div>
        <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </div>
    </Form>
  );
}
