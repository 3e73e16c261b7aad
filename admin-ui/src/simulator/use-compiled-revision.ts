/** A published revision's bundle, validated and compiled in the browser exactly as the sidecar does. */
import { compilePolicy, validateBundle, type CompiledPolicy } from '@agentcore/policies';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { revisionQuery } from '../api/bundles-api';

/** The compiled policy of `revision` (undefined while loading), or the validation error. */
export function useCompiledRevision(service: string, revision: number | undefined) {
  const q = useQuery({ ...revisionQuery(service, revision ?? 0), enabled: revision !== undefined });
  const compiled = useMemo((): { policy?: CompiledPolicy; error?: string } => {
    if (!q.data) return {};
    const v = validateBundle(q.data.content);
    return v.ok ? { policy: compilePolicy(v.bundle) } : { error: v.issues.map((i) => `${i.path}: ${i.message}`).join('; ') };
  }, [q.data]);
  return { query: q, ...compiled };
}
