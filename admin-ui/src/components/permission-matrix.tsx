/** Roles × permissions as a grid of checkboxes (react-aria): the role editor of the security admin. */
import { Checkbox } from 'react-aria-components';

export interface MatrixRole {
  name: string;
  /** the permissions as edited now */
  permissions: readonly string[];
  /** whether this column differs from what is stored */
  dirty: boolean;
}

export interface PermissionMatrixProps {
  roles: readonly MatrixRole[];
  /** the rows, in order */
  permissions: readonly string[];
  readOnly: boolean;
  onToggle: (role: string, permission: string, granted: boolean) => void;
}

/** One row per permission, one column per role; a checked cell means the role grants the permission directly. */
export function PermissionMatrix({ roles, permissions, readOnly, onToggle }: PermissionMatrixProps) {
  return (
    <table className="matrix">
      <caption className="sr-only">Permissions granted by each role</caption>
      <thead>
        <tr>
          <th scope="col">Permission</th>
          {roles.map((r) => (
            <th scope="col" key={r.name} className={r.dirty ? 'dirty' : ''}>
              {r.name}
              {r.dirty && <span className="sr-only"> (unsaved)</span>}
              {r.dirty && <span aria-hidden="true"> •</span>}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {permissions.map((p) => (
          <tr key={p}>
            <th scope="row" className="mono">
              {p}
            </th>
            {roles.map((r) => {
              const on = r.permissions.includes(p);
              return (
                <td key={r.name} className={r.dirty ? 'dirty' : ''}>
                  <Checkbox isSelected={on} isReadOnly={readOnly} isDisabled={readOnly} aria-label={`${r.name} grants ${p}`} onChange={(v) => onToggle(r.name, p, v)}>
                    <span className="box" aria-hidden="true">
                      {on ? '✓' : ''}
                    </span>
                  </Checkbox>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
