/**
 * Injection for clusters without native sidecars (Kubernetes < 1.29, injector mode `container`): the sidecar is a
 * regular container, and a Job's Pod can still complete — the sidecar runs with `--exit-on-file` on a file in an
 * emptyDir shared with every application container, and the application writes that file when it is done
 * (e.g. `trap 'touch /var/run/agentcore/exit' EXIT`). Without native sidecars Kubernetes does not order container
 * starts: the application must tolerate the sidecar not listening for its first seconds.
 */

/** The shared directory and the file the application writes at exit. */
export const LIFECYCLE = { volume: 'agentcore-lifecycle', dir: '/var/run/agentcore', exitFile: '/var/run/agentcore/exit' } as const;

interface PodShape {
  spec?: { containers?: object[]; volumes?: unknown[] };
}

/** The JSON patch adding `sidecar` (without restartPolicy) as a regular container, with the cache and lifecycle volumes. */
export function legacySidecarPatch(pod: PodShape, sidecar: Record<string, unknown>, cacheVolume: Record<string, unknown>): { op: 'add'; path: string; value: unknown }[] {
  const mount = { name: LIFECYCLE.volume, mountPath: LIFECYCLE.dir };
  const { restartPolicy: _native, ...rest } = sidecar;
  const container = {
    ...rest,
    env: [...(rest.env as unknown[]), { name: 'AGENTCORE_PROXY_EXIT_ON_FILE', value: LIFECYCLE.exitFile }],
    volumeMounts: [...(rest.volumeMounts as unknown[]), mount],
  };
  const patch: { op: 'add'; path: string; value: unknown }[] = [];
  (pod.spec?.containers ?? []).forEach((c, i) => {
    patch.push(Array.isArray((c as { volumeMounts?: unknown }).volumeMounts) ? { op: 'add', path: `/spec/containers/${i}/volumeMounts/-`, value: mount } : { op: 'add', path: `/spec/containers/${i}/volumeMounts`, value: [mount] });
  });
  patch.push({ op: 'add', path: '/spec/containers/-', value: container });
  const volumes = [cacheVolume, { name: LIFECYCLE.volume, emptyDir: { sizeLimit: '1Mi' } }];
  if (pod.spec?.volumes) for (const v of volumes) patch.push({ op: 'add', path: '/spec/volumes/-', value: v });
  else patch.push({ op: 'add', path: '/spec/volumes', value: volumes });
  return patch;
}
