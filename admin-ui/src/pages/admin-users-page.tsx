/** Owner: the admin users of the console and API — list, create, change admin role, disable or enable, delete (confirmed). */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { adminUsersQuery } from '../api/admin-users-api';
import { useCan, useSession } from '../auth/use-session';
import { QueryState } from '../components/query-state';
import { AdminUserActions } from './admin-users/admin-user-actions';
import { ADMIN_ROLE_OPTIONS } from './admin-users/admin-user-form-schema';
import { CreateAdminUserForm } from './admin-users/create-admin-user-form';

const roleLabel = (role: string) => ADMIN_ROLE_OPTIONS.find((o) => o.id === role)?.label ?? role;

function AdminUserList() {
  const users = useQuery(adminUsersQuery);
  const me = useSession()?.username;
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      <CreateAdminUserForm onCreated={setCreated} />
      {created && (
        <p className="notice" role="status">
          Admin user {created} created. Give them their password through a safe channel; they can sign in now.
        </p>
      )}
      <h2>Admin users</h2>
      <QueryState query={users} what="admin users" isEmpty={(u) => u.length === 0} empty="No admin users.">
        {(items) => (
          <table>
            <caption className="sr-only">Admin users</caption>
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Admin role</th>
                <th scope="col">State</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((u) => (
                <tr key={u.username} data-admin-user={u.username}>
                  <td>
                    <code>{u.username}</code> {u.username === me && <span className="hint">(you)</span>}
                  </td>
                  <td>{roleLabel(u.role)}</td>
                  <td>{u.disabled ? <span className="badge bad">disabled</span> : <span className="badge ok">active</span>}</td>
                  <td>{new Date(u.createdAt).toLocaleString()}</td>
                  <td>
                    <AdminUserActions user={u} isSelf={u.username === me} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}

/** The page; only an owner may see or change admin users (the API answers 403 to anyone else). */
export default function AdminUsersPage() {
  const canManage = useCan('admin:manage');
  return (
    <>
      <h1>Admin users</h1>
      {canManage ? (
        <AdminUserList />
      ) : (
        <p className="notice" role="status">
          Only an owner manages admin users. Your own access tokens are under Access tokens.
        </p>
      )}
    </>
  );
}
