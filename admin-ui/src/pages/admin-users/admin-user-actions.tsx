/**
 * The actions on one admin user: change role (If-Match; a 412 shows the stored user against your edit), disable or
 * enable, delete — each confirmed. The API refuses to remove the last enabled owner (409); its message is shown.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Form, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { ApiError, describeError, fieldMessage } from '../../api/api-error';
import { adminUsersQuery, deleteAdminUser, updateAdminUser, type AdminUser } from '../../api/admin-users-api';
import { isConflict } from '../../api/client';
import { etagOfVersion } from '../../api/etag';
import { sessionQuery, type AdminRole } from '../../api/session-api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ConflictDialog } from '../../components/conflict-dialog';
import { ErrorAlert } from '../../components/query-state';
import { AdminRoleSelect } from './create-admin-user-form';

interface UserConflict {
  theirs: AdminUser | undefined;
  mine: { role: AdminRole };
}

/** The stored user now (there is no single-user read: the list is the source). */
async function currentUser(qc: ReturnType<typeof useQueryClient>, username: string): Promise<AdminUser | undefined> {
  const users = await qc.fetchQuery({ ...adminUsersQuery, staleTime: 0 });
  return users.find((u) => u.username === username);
}

/** The change-role dialog's form. */
function ChangeRoleForm({ user, close, onSaved }: { user: AdminUser; close: () => void; onSaved: () => Promise<void> }) {
  const qc = useQueryClient();
  const [role, setRole] = useState<AdminRole>(user.role);
  const [etag, setEtag] = useState(etagOfVersion(user.version));
  const [local, setLocal] = useState<string | undefined>();
  const [conflict, setConflict] = useState<UserConflict | null>(null);
  const save = useMutation({
    mutationFn: async (ifMatch: string) => {
      try {
        await updateAdminUser(user.username, { role }, ifMatch);
      } catch (e) {
        if (!isConflict(e)) throw e;
        setConflict({ theirs: await currentUser(qc, user.username), mine: { role } });
        return 'conflict' as const;
      }
      setConflict(null);
      close();
    },
    onSettled: onSaved,
  });
  const submit = (ifMatch = etag) => {
    const e = role === user.role && ifMatch === etagOfVersion(user.version) ? `Already ${role}: pick another role` : undefined;
    setLocal(e);
    if (!e) save.mutate(ifMatch);
  };
  // 409: the API refuses to demote the last enabled owner; that belongs beside the role, and retrying will not help.
  const refused = save.error instanceof ApiError && save.error.status === 409 ? save.error.message : undefined;
  const apiMessage = refused ?? fieldMessage(save.error, 'role');
  return (
    <Form
      className="stack"
      validationBehavior="aria"
      aria-label={`Change the role of ${user.username}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Heading slot="title">Change the role of {user.username}</Heading>
      <AdminRoleSelect label="New admin role" value={role} onChange={setRole} error={local ?? apiMessage} />
      {save.error && !apiMessage && <ErrorAlert error={save.error} onRetry={() => submit()} retrying={save.isPending} />}
      <div className="row">
        <Button onPress={close}>Cancel</Button>
        <Button type="submit" className="react-aria-Button primary" isDisabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save role'}
        </Button>
      </div>
      <ConflictDialog
        isOpen={!!conflict}
        what={`admin user ${user.username}`}
        theirs={conflict?.theirs ? { role: conflict.theirs.role, disabled: conflict.theirs.disabled } : { deleted: true }}
        mine={conflict?.mine}
        onCancel={() => setConflict(null)}
        onReload={() => {
          if (conflict?.theirs) setRole(conflict.theirs.role);
          setConflict(null);
          close();
        }}
        onReapply={() => {
          if (!conflict?.theirs) return setConflict(null);
          const theirEtag = etagOfVersion(conflict.theirs.version);
          setEtag(theirEtag);
          submit(theirEtag);
        }}
      />
    </Form>
  );
}

/** Role, disable/enable and delete buttons of one row. */
export function AdminUserActions({ user, isSelf }: { user: AdminUser; isSelf: boolean }) {
  const qc = useQueryClient();
  const refresh = async () => {
    await qc.invalidateQueries({ queryKey: adminUsersQuery.queryKey });
    // A change to your own account changes what the console may show you (or ends your session).
    if (isSelf) await qc.invalidateQueries({ queryKey: sessionQuery.queryKey, exact: true });
  };
  const etag = etagOfVersion(user.version);
  const toggle = useMutation({ mutationFn: () => updateAdminUser(user.username, { disabled: !user.disabled }, etag), onSettled: refresh });
  const del = useMutation({ mutationFn: () => deleteAdminUser(user.username, etag), onSettled: refresh });
  const failed = toggle.error ?? del.error;
  const self = isSelf ? ' This is your own account: you will be signed out.' : '';
  return (
    <div className="row">
      <DialogTrigger>
        <Button aria-label={`Change role of ${user.username}`}>Change role</Button>
        <ModalOverlay isDismissable>
          <Modal>
            <Dialog>{({ close }) => <ChangeRoleForm user={user} close={close} onSaved={refresh} />}</Dialog>
          </Modal>
        </ModalOverlay>
      </DialogTrigger>
      <ConfirmDialog
        trigger={user.disabled ? 'Enable' : 'Disable'}
        triggerLabel={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}`}
        title={`${user.disabled ? 'Enable' : 'Disable'} ${user.username}?`}
        confirmLabel={user.disabled ? 'Enable' : 'Disable'}
        danger={!user.disabled}
        onConfirm={() => toggle.mutate()}
      >
        <p>{user.disabled ? `${user.username} can sign in again.` : `${user.username}'s sessions end now and their access tokens stop working.${self}`}</p>
      </ConfirmDialog>
      <ConfirmDialog trigger="Delete" triggerLabel={`Delete ${user.username}`} title={`Delete ${user.username}?`} confirmLabel="Delete admin user" danger onConfirm={() => del.mutate()}>
        <p>
          Their sessions and access tokens are deleted with them.{self} This cannot be undone.
        </p>
      </ConfirmDialog>
      {failed && (
        <span role="alert" className="field-error">
          {isConflict(failed) ? `${user.username} was changed by someone else meanwhile; the list now shows the stored state: check it and try again.` : describeError(failed)}
        </span>
      )}
    </div>
  );
}
