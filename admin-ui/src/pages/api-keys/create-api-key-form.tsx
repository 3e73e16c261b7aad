/** The create-key form: principal, roles of the service, scopes, description, expiry date; errors beside each field. */
import { getLocalTimeZone, today, type CalendarDate } from '@internationalized/date';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, FieldError, Form, Input, Label, Text, TextField } from 'react-aria-components';
import { describeError, fieldMessage } from '../../api/api-error';
import { apiKeysQuery, createApiKey, type NewApiKey } from '../../api/keys-api';
import { rolesQuery } from '../../api/services-api';
import type { CreatedApiKey } from '../../api/types';
import { DatePickerField } from '../../components/date-picker-field';
import { splitList, validateApiKeyForm, type ApiKeyFormValues } from './api-key-form-schema';

const EMPTY: ApiKeyFormValues = { principal: '', roles: [], scopes: '', description: '', expiresAt: '' };

/** The service's roles as checkboxes. */
function RoleCheckboxes({ service, value, onChange, error }: { service: string; value: string[]; onChange: (r: string[]) => void; error: string | undefined }) {
  const roles = useQuery(rolesQuery(service));
  return (
    <CheckboxGroup value={value} onChange={onChange} isInvalid={!!error}>
      <Label>Roles</Label>
      <div className="row">
        {(roles.data ?? []).map((r) => (
          <Checkbox key={r.id} value={r.definition.name}>
            <span className="box" aria-hidden="true">
              {value.includes(r.definition.name) ? '✓' : ''}
            </span>
            {r.definition.name}
          </Checkbox>
        ))}
        {roles.data?.length === 0 && <span className="hint">This service has no roles yet.</span>}
      </div>
      <FieldError className="field-error">{error}</FieldError>
    </CheckboxGroup>
  );
}

/** Creates a key in `service`; `onCreated` receives the answer with the one-time secret. */
export function CreateApiKeyForm({ service, onCreated }: { service: string; onCreated: (k: CreatedApiKey) => void }) {
  const qc = useQueryClient();
  const [v, setV] = useState<ApiKeyFormValues>(EMPTY);
  const [expiry, setExpiry] = useState<CalendarDate | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: (k: NewApiKey) => createApiKey(service, k),
    onSuccess: (k) => {
      setV(EMPTY);
      setExpiry(null);
      void qc.invalidateQueries({ queryKey: apiKeysQuery(service).queryKey });
      onCreated(k);
    },
  });
  const set = (patch: Partial<ApiKeyFormValues>) => setV((old) => ({ ...old, ...patch }));
  const err = (name: keyof ApiKeyFormValues) => local[name] ?? fieldMessage(create.error, name);
  const submit = () => {
    const values = { ...v, expiresAt: expiry ? expiry.toDate(getLocalTimeZone()).toISOString() : '' };
    const errors = validateApiKeyForm(values, Date.now());
    setLocal(errors);
    if (Object.keys(errors).length) return;
    create.mutate({
      principal: values.principal.trim(),
      roles: values.roles,
      scopes: splitList(values.scopes),
      ...(values.description ? { description: values.description } : {}),
      ...(values.expiresAt ? { expiresAt: values.expiresAt } : {}),
    });
  };
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label="Create an API key"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Create an API key</h2>
      <TextField name="principal" value={v.principal} onChange={(principal) => set({ principal })} isInvalid={!!err('principal')}>
        <Label>Principal</Label>
        <Input />
        <Text slot="description" className="hint">
          the user or service account the key acts as
        </Text>
        <FieldError className="field-error">{err('principal')}</FieldError>
      </TextField>
      <RoleCheckboxes service={service} value={v.roles} onChange={(r) => set({ roles: r })} error={err('roles')} />
      <TextField name="scopes" value={v.scopes} onChange={(scopes) => set({ scopes })} isInvalid={!!err('scopes')}>
        <Label>Scopes</Label>
        <Input />
        <Text slot="description" className="hint">
          separated by spaces or commas; optional
        </Text>
        <FieldError className="field-error">{err('scopes')}</FieldError>
      </TextField>
      <TextField name="description" value={v.description} onChange={(description) => set({ description })} isInvalid={!!err('description')}>
        <Label>Description</Label>
        <Input />
        <FieldError className="field-error">{err('description')}</FieldError>
      </TextField>
      <DatePickerField label="Expires on (optional)" value={expiry} onChange={setExpiry} minValue={today(getLocalTimeZone()).add({ days: 1 })} error={err('expiresAt')} />
      {create.error && !Object.keys(local).length && (
        <p className="alert" role="alert">
          {describeError(create.error)}
        </p>
      )}
      <div>
        <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </Button>
      </div>
    </Form>
  );
}
