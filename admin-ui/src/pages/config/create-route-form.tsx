/** The create-route form: id, method, path and kind checked as you type against sample paths, permissions; API field errors inline. */
import { HttpMethod, Identifier, Permission } from '@agentcore/policies';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextArea, TextField } from 'react-aria-components';
import { fieldMessage } from '../../api/api-error';
import { ErrorAlert } from '../../components/query-state';
import { createRoute, routesQuery } from '../../api/services-api';
import { splitList } from '../api-keys/api-key-form-schema';
import { checkRoutePath } from './route-path-check';

type Kind = 'exact' | 'prefix' | 'template';

function Pick<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: readonly T[]; onChange: (v: T) => void }) {
  return (
    <Select selectedKey={value} onSelectionChange={(k) => onChange(k as T)}>
      <Label>{label}</Label>
      <Button>
        <SelectValue />
      </Button>
      <Popover>
        <ListBox items={options.map((id) => ({ id }))}>{(o) => <ListBoxItem id={o.id}>{o.id}</ListBoxItem>}</ListBox>
      </Popover>
    </Select>
  );
}

/** Creates a route in `service`. */
export function CreateRouteForm({ service }: { service: string }) {
  const qc = useQueryClient();
  const [id, setId] = useState('');
  const [method, setMethod] = useState<string>('GET');
  const [path, setPath] = useState('/api/v1/items/{id}');
  const [kind, setKind] = useState<Kind>('template');
  const [permissions, setPermissions] = useState('');
  const [samples, setSamples] = useState('/api/v1/items/42\n/api/v1/items\n/api/v1/items/42/../7');
  const [local, setLocal] = useState<Record<string, string>>({});
  const check = checkRoutePath(path, kind, method, splitList(samples.replace(/\n/g, ' ')));
  const create = useMutation({
    mutationFn: () => createRoute(service, { id, match: { methods: [method as never], path, kind }, permissions: splitList(permissions) }),
    onSuccess: () => {
      setId('');
      void qc.invalidateQueries({ queryKey: routesQuery(service).queryKey });
    },
  });
  const err = (f: string, apiPath = f) => local[f] ?? fieldMessage(create.error, apiPath);
  const submit = () => {
    const e: Record<string, string> = {};
    const idOk = Identifier.safeParse(id);
    if (!idOk.success) e.id = idOk.error.issues[0]!.message;
    if (check.error) e.path = check.error;
    const bad = splitList(permissions).find((p) => !Permission.safeParse(p).success);
    if (bad) e.permissions = `"${bad}" must be "resource:action" in lower case`;
    setLocal(e);
    if (!Object.keys(e).length) create.mutate();
  };
  return (
    <Form
      validationBehavior="aria"
      className="card stack"
      aria-label="Create a route"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h2>Create a route</h2>
      <TextField value={id} onChange={setId} isInvalid={!!err('id')}>
        <Label>Route id</Label>
        <Input />
        <FieldError className="field-error">{err('id')}</FieldError>
      </TextField>
      <div className="row">
        <Pick label="Method" value={method} options={HttpMethod.options} onChange={setMethod} />
        <Pick label="Kind" value={kind} options={['exact', 'prefix', 'template'] as const} onChange={setKind} />
      </div>
      <TextField value={path} onChange={setPath} isInvalid={!!(check.error ?? err('path', 'match.path'))}>
        <Label>Path</Label>
        <Input className="mono" />
        <FieldError className="field-error">{check.error ?? err('path', 'match.path')}</FieldError>
      </TextField>
      <TextField value={samples} onChange={setSamples}>
        <Label>Sample paths to try (one per line)</Label>
        <TextArea rows={3} className="mono" />
      </TextField>
      <ul aria-label="Sample path results" aria-live="polite">
        {check.samples.map((s) => (
          <li key={s.target}>
            <code>{s.target}</code> <span className={`badge ${s.matches ? 'ok' : 'warn'}`}>{s.detail}</span>
          </li>
        ))}
      </ul>
      <TextField value={permissions} onChange={setPermissions} isInvalid={!!err('permissions')}>
        <Label>Permissions (separated by spaces or commas)</Label>
        <Input />
        <FieldError className="field-error">{err('permissions')}</FieldError>
      </TextField>
      {create.error && !Object.keys(local).length && !['id', 'path', 'permissions'].some((f) => err(f, f === 'path' ? 'match.path' : f)) && (
        <ErrorAlert error={create.error} onRetry={() => create.mutate()} retrying={create.isPending} />
      )}
      <div>
        <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
          Create route
        </Button>
      </div>
    </Form>
  );
}
