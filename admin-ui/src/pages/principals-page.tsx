/** Security admin: principals (users and service accounts) with their roles; create one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from 'react-aria-components';
import { fieldMessage } from '../api/api-error';
import { createPrincipal, principalsQuery } from '../api/services-api';
import { useCan } from '../auth/use-session';
import { ErrorAlert, QueryState } from '../components/query-state';
import { Role } from '@agentcore/policies';
import { splitList } from './api-keys/api-key-form-schema';

/**
 * The API's principal id rule (`PrincipalId` in admin-api/src, which the console may not import); the test pins it
 * to the pattern the OpenAPI document publishes for `POST /api/v1/principals`.
 */
export const PRINCIPAL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,255}$';
const ID_RE = new RegExp(PRINCIPAL_ID_PATTERN);
/** A role name as the policy contract spells it. */
const roleName = Role.shape.name;

function CreatePrincipalForm() {
  const qc = useQueryClient();
  const [id, setId] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [kind, setKind] = useState<'user' | 'service-account'>('user');
  const [roles, setRoles] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () => createPrincipal({ id: id.trim(), kind, displayName: displayName.trim(), roles: splitList(roles) }),
    onSuccess: () => {
      setId('');
      setDisplayName('');
      setRoles('');
      void qc.invalidateQueries({ queryKey: principalsQuery.queryKey });
    },
  });
  const err = (f: string) => local[f] ?? fieldMessage(create.error, f);
  const submit = () => {
    const e: Record<string, string> = {};
    if (!ID_RE.test(id.trim())) e.id = 'Use 1-256 of letters, digits and _ . @ : + -, starting with a letter or digit';
    if (!displayName.trim() || displayName.length > 200) e.displayName = 'Enter a display name (at most 200 characters)';
    const badRole = splitList(roles).find((r) => !roleName.safeParse(r).success);
    if (badRole !== undefined) e.roles = `"${badRole}" is not a role name: use 1-64 of letters, digits and _ . : -`;
    setLocal(e);
    if (!Object.keys(e).length) create.mutate();
  };
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label="Create a principal"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Create a principal</h2>
      <TextField value={id} onChange={setId} isInvalid={!!err('id')}>
        <Label>Id</Label>
        <Input />
        <FieldError className="field-error">{err('id')}</FieldError>
      </TextField>
      <TextField value={displayName} onChange={setDisplayName} isInvalid={!!err('displayName')}>
        <Label>Display name</Label>
        <Input />
        <FieldError className="field-error">{err('displayName')}</FieldError>
      </TextField>
      <Select selectedKey={kind} onSelectionChange={(k) => setKind(k as typeof kind)}>
        <Label>Kind</Label>
        <Button>
          <SelectValue />
        </Button>
        <Popover>
          <ListBox>
            <ListBoxItem id="user">user</ListBoxItem>
            <ListBoxItem id="service-account">service-account</ListBoxItem>
          </ListBox>
        </Popover>
      </Select>
      <TextField value={roles} onChange={setRoles} isInvalid={!!err('roles')}>
        <Label>Roles (separated by spaces or commas)</Label>
        <Input />
        <FieldError className="field-error">{err('roles')}</FieldError>
      </TextField>
      {create.error && !err('id') && !err('displayName') && !err('roles') && <ErrorAlert error={create.error} onRetry={() => create.mutate()} retrying={create.isPending} />}
      <div>
        <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
          Create principal
        </Button>
      </div>
    </Form>
  );
}

/** The page. */
export default function PrincipalsPage() {
  const principals = useQuery(principalsQuery);
  const canEdit = useCan('security:write');
  return (
    <>
      <h1>Principals</h1>
      {canEdit && <CreatePrincipalForm />}
      <QueryState query={principals} what="principals" isEmpty={(p) => p.length === 0} empty="No principals yet.">
        {(items) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Id</th>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Roles</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <code>{p.id}</code>
                  </td>
                  <td>{p.displayName}</td>
                  <td>{p.kind}</td>
                  <td>{p.roles.join(', ') || '—'}</td>
                  <td>{p.disabled ? <span className="badge bad">disabled</span> : <span className="badge ok">active</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}
