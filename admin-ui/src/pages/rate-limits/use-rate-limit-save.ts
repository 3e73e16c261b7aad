/** Creating or saving a rate limit: If-Match on a save, and a 412 turned into a conflict to resolve (never an overwrite). */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { isConflict } from '../../api/client';
import { createRateLimit, fetchRateLimit, rateLimitsQuery, saveRateLimit, type RateLimitDefinition, type RateLimitInput } from '../../api/rate-limits-api';

/** A save that hit 412: the stored limit now, its ETag, and what we tried to save. */
export interface RateLimitConflict {
  theirs: RateLimitDefinition;
  theirEtag: string;
  mine: RateLimitInput;
}

/** `etag` null = create; else the version the edit was made against. `onSaved` runs after a successful write. */
export function useRateLimitSave(service: string, etag: string | null, onSaved: () => void) {
  const qc = useQueryClient();
  const [conflict, setConflict] = useState<RateLimitConflict | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: rateLimitsQuery(service).queryKey });
  const toConflict = async (e: unknown, mine: RateLimitInput) => {
    if (!isConflict(e)) throw e;
    const now = await fetchRateLimit(service, mine.id);
    setConflict({ theirs: now.data.definition, theirEtag: now.etag, mine });
  };
  const save = useMutation({
    mutationFn: async (mine: RateLimitInput) => {
      if (etag === null) return void (await createRateLimit(service, mine));
      try {
        await saveRateLimit(service, mine, etag);
      } catch (e) {
        await toConflict(e, mine);
        return 'conflict' as const;
      }
    },
    onSuccess: (r) => r !== 'conflict' && onSaved(),
    onSettled: refresh,
  });
  const reapply = useMutation({
    mutationFn: async (c: RateLimitConflict) => {
      try {
        await saveRateLimit(service, c.mine, c.theirEtag);
      } catch (e) {
        await toConflict(e, c.mine);
        return 'conflict' as const;
      }
      setConflict(null);
    },
    onSuccess: (r) => r !== 'conflict' && onSaved(),
    onSettled: refresh,
  });
  return { save, reapply, conflict, closeConflict: () => setConflict(null) };
}
