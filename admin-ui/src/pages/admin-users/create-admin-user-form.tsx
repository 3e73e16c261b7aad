/** Create an admin user: username, a password the owner types (or generates and sees, to hand over), admin role. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text, TextField } from 'react-aria-components';
import { ApiError, fieldMessage } from '../../api/api-error';
import { adminUsersQuery, createAdminUser } from '../../api/admin-users-api';
import type { AdminRole } from '../../api/session-api';
import { ErrorAlert } from '../../components/query-state';
import { ADMIN_ROLE_OPTIONS, generatePassword, PASSWORD_MIN, validateAdminUserForm, type AdminUserFormValues } from './admin-user-form-schema';

const EMPTY: AdminUserFormValues = { username: '', password: '', role: 'security-admin' };

/** The role select, with what each role may do. */
export function AdminRoleSelect({ value, onChange, error, label = 'Admin role' }: { value: AdminRole; onChange: (r: AdminRole) => void; error?: string | undefined; label?: string }) {
  return (
    <Select selectedKey={value} onSelectionChange={(k) => onChange(k as AdminRole)} isInvalid={!!error}>
      <Label>{label}</Label>
      <Button>
        <SelectValue />
      </Button>
      <Text slot="description" className="hint">
        {ADMIN_ROLE_OPTIONS.find((o) => o.id === value)?.hint}
      </Text>
      <FieldError className="field-error">{error}</FieldError>
      <Popover>
        <ListBox items={ADMIN_ROLE_OPTIONS}>{(o) => <ListBoxItem id={o.id}>{o.label}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}

/** The form; `onCreated` receives the username. */
export function CreateAdminUserForm({ onCreated }: { onCreated: (username: string) => void }) {
  const qc = useQueryClient();
  const [v, setV] = useState<AdminUserFormValues>(EMPTY);
  const [show, setShow] = useState(false);
  const [local, setLocal] = useState<Partial<Record<keyof AdminUserFormValues, string>>>({});
  const create = useMutation({
    mutationFn: createAdminUser,
    onSuccess: (u) => {
      setV(EMPTY);
      setShow(false);
      onCreated(u.username);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: adminUsersQuery.queryKey }),
  });
  const set = (patch: Partial<AdminUserFormValues>) => setV((old) => ({ ...old, ...patch }));
  const taken = create.error instanceof ApiError && create.error.code === 'ADMIN_USER_EXISTS' ? create.error.message : undefined;
  const err = (f: keyof AdminUserFormValues) => local[f] ?? fieldMessage(create.error, f) ?? (f === 'username' ? taken : undefined);
  const submit = () => {
    const errors = validateAdminUserForm(v);
    setLocal(errors);
    if (!Object.keys(errors).length) create.mutate(v);
  };
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label="Create an admin user"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Create an admin user</h2>
      <TextField value={v.username} onChange={(username) => set({ username })} isInvalid={!!err('username')} autoComplete="off">
        <Label>Username</Label>
        <Input />
        <FieldError className="field-error">{err('username')}</FieldError>
      </TextField>
      <div className="row">
        <TextField value={v.password} onChange={(password) => set({ password })} isInvalid={!!err('password')} type={show ? 'text' : 'password'} autoComplete="new-password">
          <Label>Password</Label>
          <Input className={show ? 'mono' : undefined} />
          <Text slot="description" className="hint">
            at least {PASSWORD_MIN} characters; give it to the user, who signs in with it (it is never shown again)
          </Text>
          <FieldError className="field-error">{err('password')}</FieldError>
        </TextField>
        <Checkbox isSelected={show} onChange={setShow}>
          <span className="box" aria-hidden="true">
            {show ? '✓' : ''}
          </span>
          Show password
        </Checkbox>
        <Button
          onPress={() => {
            set({ password: generatePassword() });
            setShow(true);
          }}
        >
          Generate
        </Button>
      </div>
      <AdminRoleSelect value={v.role} onChange={(role) => set({ role })} error={err('role')} />
      {create.error && !Object.keys(local).length && !taken && <ErrorAlert error={create.error} onRetry={submit} retrying={create.isPending} />}
      <div>
        <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create admin user'}
        </Button>
      </div>
    </Form>
  );
}
