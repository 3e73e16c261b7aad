/** Security admin: the roles of a service as a permission matrix; saves with If-Match and resolves 412 conflicts. */
import { PermissionPattern } from '@agentcore/policies';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import { useParams } from 'react-router';
import { routesQuery, rolesQuery } from '../api/services-api';
import type { StoredRole } from '../api/types';
import { useCan } from '../auth/use-session';
import { ConflictDialog } from '../components/conflict-dialog';
import { PermissionMatrix } from '../components/permission-matrix';
import { ErrorAlert, QueryState } from '../components/query-state';
import { RoleImpact } from './roles/role-impact';
import { useRoleDrafts } from './roles/use-role-drafts';

/** The page. */
export default function RolesPage() {
  const service = useParams().service!;
  const roles = useQuery(rolesQuery(service));
  return (
    <>
      <h1>Roles of {service}</h1>
      <QueryState query={roles} what="roles" isEmpty={(r) => r.length === 0} empty="No roles yet.">
        {(stored) => <RoleMatrixEditor service={service} stored={stored} />}
      </QueryState>
    </>
  );
}

function RoleMatrixEditor({ service, stored }: { service: string; stored: readonly StoredRole[] }) {
  const canEdit = useCan('security:write');
  const routes = useQuery(routesQuery(service));
  const d = useRoleDrafts(service, stored);
  const [extra, setExtra] = useState<string[]>([]);
  const [newPerm, setNewPerm] = useState('');
  const [newPermError, setNewPermError] = useState<string | undefined>();
  const [showImpact, setShowImpact] = useState(false);
  const rows = [
    ...new Set([...stored.flatMap((r) => [...r.definition.permissions, ...d.permissionsOf(r.definition.name)]), ...(routes.data ?? []).flatMap((r) => r.definition.permissions ?? []), ...extra]),
  ].sort();
  const addRow = () => {
    const p = PermissionPattern.safeParse(newPerm.trim());
    if (!p.success) return setNewPermError(p.error.issues[0]?.message ?? 'not a permission');
    setNewPermError(undefined);
    setExtra((x) => [...x, p.data]);
    setNewPerm('');
  };
  return (
    <>
      <p className="hint">A ticked cell grants the permission directly; inherited permissions come from the roles a role inherits.</p>
      <PermissionMatrix
        roles={stored.map((r) => ({ name: r.definition.name, permissions: d.permissionsOf(r.definition.name), dirty: d.isDirty(r.definition.name) }))}
        permissions={rows}
        readOnly={!canEdit}
        onToggle={d.toggle}
      />
      {canEdit && (
        <>
          <div className="row">
            <Button className="react-aria-Button primary" isDisabled={d.dirtyNames.length === 0 || d.save.isPending} onPress={() => d.save.mutate()}>
              {d.save.isPending ? 'Saving…' : `Save changes${d.dirtyNames.length ? ` (${d.dirtyNames.join(', ')})` : ''}`}
            </Button>
            <Button isDisabled={d.dirtyNames.length === 0} onPress={d.discard}>
              Discard changes
            </Button>
            <Button isDisabled={d.dirtyNames.length === 0} onPress={() => setShowImpact((v) => !v)} aria-expanded={showImpact && d.dirtyNames.length > 0}>
              {showImpact && d.dirtyNames.length > 0 ? 'Hide impact' : 'Preview impact'}
            </Button>
          </div>
          {showImpact && d.dirtyNames.length > 0 && <RoleImpact service={service} edits={Object.fromEntries(d.dirtyNames.map((n) => [n, d.permissionsOf(n)]))} />}
          {d.save.error && <ErrorAlert error={d.save.error} onRetry={() => d.save.mutate()} />}
          <Form
            validationBehavior="aria"
            className="row"
            aria-label="Add a permission row"
            onSubmit={(e) => {
              e.preventDefault();
              addRow();
            }}
          >
            <TextField value={newPerm} onChange={setNewPerm} isInvalid={!!newPermError}>
              <Label>New permission</Label>
              <Input placeholder="resource:action" />
              <FieldError className="field-error">{newPermError}</FieldError>
            </TextField>
            <Button type="submit">Add row</Button>
          </Form>
        </>
      )}
      <ConflictDialog
        isOpen={!!d.conflict}
        what={`role ${d.conflict?.mine.name ?? ''}`}
        theirs={d.conflict?.theirs}
        mine={d.conflict?.mine}
        onCancel={d.closeConflict}
        onReload={() => d.conflict && d.reload(d.conflict)}
        onReapply={() => d.conflict && d.reapply.mutate(d.conflict)}
      />
    </>
  );
}
