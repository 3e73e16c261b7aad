/** The route form's live check: the match validated by the contract's RouteMatch schema, and which sample paths it matches. */
import { compileRouter, normalizeRequestTarget, RouteMatch } from '@agentcore/policies';

export interface PathCheck {
  /** the first problem with the path, or undefined when valid */
  error?: string;
  /** per sample target: matched (with parameters), or why not */
  samples: { target: string; matches: boolean; detail: string }[];
}

/** Validates `path`/`kind` and tries each sample target as the sidecar would (normalise, then route). */
export function checkRoutePath(path: string, kind: 'exact' | 'prefix' | 'template', method: string, samples: readonly string[]): PathCheck {
  const m = RouteMatch.safeParse({ path, kind, methods: [method] });
  if (!m.success) return { error: m.error.issues[0]?.message ?? 'invalid path', samples: [] };
  const router = compileRouter([{ id: 'candidate', match: m.data }]);
  return {
    samples: samples.map((target) => {
      const n = normalizeRequestTarget(target);
      if (!n.ok) return { target, matches: false, detail: `refused (${n.reason})` };
      const r = router.match(method, undefined, n.path);
      if (!r.found) return { target, matches: false, detail: `no match (${n.path})` };
      const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(', ');
      return { target, matches: true, detail: params ? `matches, ${params}` : 'matches' };
    }),
  };
}
