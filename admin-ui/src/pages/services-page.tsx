/** Platform engineer: the services (create one), each with its sidecar credentials (token shown once). */
import { ServiceName } from '@agentcore/policies';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { Link } from 'react-router';
import { fieldMessage } from '../api/api-error';
import { createService, servicesQuery } from '../api/services-api';
import { useCan } from '../auth/use-session';
import { ErrorAlert, QueryState } from '../components/query-state';
import { SidecarCredentials } from './services/sidecar-credentials';

function CreateServiceForm() {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [local, setLocal] = useState<string | undefined>();
  const create = useMutation({
    mutationFn: () => createService(name.trim()),
    onSuccess: () => {
      setName('');
      void qc.invalidateQueries({ queryKey: servicesQuery.queryKey });
    },
  });
  const error = local ?? fieldMessage(create.error, 'name');
  return (
    <Form
      validationBehavior="aria"
      className="card row"
      aria-label="Create a service"
      onSubmit={(e) => {
        e.preventDefault();
        const ok = ServiceName.safeParse(name.trim());
        setLocal(ok.success ? undefined : (ok.error.issues[0]?.message ?? 'invalid name'));
        if (ok.success) create.mutate();
      }}
    >
      <TextField value={name} onChange={setName} isInvalid={!!error}>
        <Label>New service name</Label>
        <Input />
        <FieldError className="field-error">{error}</FieldError>
      </TextField>
      <Button type="submit" className="react-aria-Button primary" isDisabled={create.isPending}>
        Create service
      </Button>
      {create.error && !error && <ErrorAlert error={create.error} onRetry={() => create.mutate()} retrying={create.isPending} />}
    </Form>
  );
}

/** The page. */
export default function ServicesPage() {
  const services = useQuery(servicesQuery);
  const canEdit = useCan('platform:write');
  return (
    <>
      <h1>Services</h1>
      {canEdit && <CreateServiceForm />}
      <QueryState query={services} what="services" isEmpty={(s) => s.length === 0} empty="No services yet.">
        {(items) => (
          <>
            {items.map((s) => (
              <section key={s.name} className="card" aria-labelledby={`svc-${s.name}`}>
                <h2 id={`svc-${s.name}`}>
                  <Link to={`/services/${encodeURIComponent(s.name)}/api-keys`}>{s.name}</Link>
                </h2>
                {s.description && <p>{s.description}</p>}
                <SidecarCredentials service={s.name} canEdit={canEdit} />
              </section>
            ))}
          </>
        )}
      </QueryState>
    </>
  );
}
