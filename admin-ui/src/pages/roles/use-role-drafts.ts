/** Unsaved edits of role permissions, saved role by role with If-Match; a 412 becomes a conflict to resolve. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { isConflict } from '../../api/client';
import { fetchRole, rolesQuery, saveRole } from '../../api/services-api';
import type { RoleDefinition, StoredRole } from '../../api/types';

/** A save that hit 412: the stored role now, and the definition we tried to save. */
export interface RoleConflict {
  theirs: RoleDefinition;
  theirEtag: string;
  mine: RoleDefinition;
}

const etagOf = (r: StoredRole) => `"v${r.version}"`;

interface Draft {
  permissions: string[];
  /** ETag of the stored role this draft was made against */
  etag: string;
}

/** Draft state over the stored roles of `service`. */
export function useRoleDrafts(service: string, stored: readonly StoredRole[]) {
  const qc = useQueryClient();
  // Each draft remembers the version it was made against: a save never overwrites a change it has not seen.
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [conflict, setConflict] = useState<RoleConflict | null>(null);
  const byName = new Map(stored.map((r) => [r.definition.name, r]));
  const permissionsOf = (name: string) => drafts[name]?.permissions ?? byName.get(name)?.definition.permissions ?? [];
  const isDirty = (name: string) => drafts[name] !== undefined && JSON.stringify(drafts[name].permissions) !== JSON.stringify(byName.get(name)?.definition.permissions);
  const dirtyNames = stored.map((r) => r.definition.name).filter(isDirty);

  const toggle = (role: string, permission: string, granted: boolean) =>
    setDrafts((d) => {
      const stored = byName.get(role);
      const cur = d[role] ?? { permissions: stored?.definition.permissions ?? [], etag: stored ? etagOf(stored) : '*' };
      const permissions = granted ? [...cur.permissions.filter((p) => p !== permission), permission] : cur.permissions.filter((p) => p !== permission);
      return { ...d, [role]: { ...cur, permissions } };
    });
  const drop = (role: string) =>
    setDrafts((d) => {
      const { [role]: _gone, ...rest } = d;
      return rest;
    });
  const refresh = () => qc.invalidateQueries({ queryKey: rolesQuery(service).queryKey });

  const save = useMutation({
    mutationFn: async () => {
      for (const name of dirtyNames) {
        const r = byName.get(name)!;
        const draft = drafts[name]!;
        const mine: RoleDefinition = { ...r.definition, permissions: draft.permissions };
        try {
          await saveRole(service, mine, draft.etag);
          drop(name);
        } catch (e) {
          if (!isConflict(e)) throw e;
          const now = await fetchRole(service, name);
          setConflict({ theirs: now.data.definition, theirEtag: now.etag, mine });
          return;
        }
      }
    },
    onSettled: refresh,
  });
  const reapply = useMutation({
    mutationFn: async (c: RoleConflict) => {
      await saveRole(service, c.mine, c.theirEtag);
      drop(c.mine.name);
      setConflict(null);
    },
    onError: async (e, c) => {
      if (!isConflict(e)) return;
      const now = await fetchRole(service, c.mine.name);
      setConflict({ theirs: now.data.definition, theirEtag: now.etag, mine: c.mine });
    },
    onSettled: refresh,
  });
  const reload = (c: RoleConflict) => {
    drop(c.mine.name);
    setConflict(null);
    void refresh();
  };
  return { permissionsOf, isDirty, dirtyNames, toggle, discard: () => setDrafts({}), save, conflict, reapply, reload, closeConflict: () => setConflict(null) };
}
