/** The impact preview of unsaved permission-matrix edits: the latest published revision against it with the edits applied. */
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { revisionsQuery } from '../../api/bundles-api';
import { QueryState } from '../../components/query-state';
import { compileBundleDocument, withRolePermissions, type PolicyOrError } from '../../impact/changed-policy';
import { ImpactPreview } from '../../impact/impact-preview';
import { useCompiledRevision } from '../../simulator/use-compiled-revision';

/** `edits`: role name → its permissions after the unsaved edits. */
export function RoleImpact({ service, edits }: { service: string; edits: Readonly<Record<string, readonly string[]>> }) {
  const revisions = useQuery(revisionsQuery(service));
  const latest = revisions.data?.items[0]?.revision;
  const { query, policy, error } = useCompiledRevision(service, latest);
  const current = useMemo((): PolicyOrError | undefined => (policy ? { policy } : error ? { error } : undefined), [policy, error]);
  const key = JSON.stringify(edits);
  const changed = useMemo(() => (policy ? compileBundleDocument(withRolePermissions(policy.bundle, JSON.parse(key) as Record<string, string[]>)) : undefined), [policy, key]);
  return (
    <QueryState query={revisions} what="revisions" isEmpty={(r) => r.items.length === 0} empty="Nothing is published for this service yet: there is no policy in force to compare with.">
      {() => (
        <QueryState query={query} what={`revision ${latest}`}>
          {() => <ImpactPreview service={service} current={current} changed={changed} currentLabel={`revision ${latest} (in force)`} changedLabel="your unsaved changes" />}
        </QueryState>
      )}
    </QueryState>
  );
}
