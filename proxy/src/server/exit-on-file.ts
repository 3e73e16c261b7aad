/**
 * `--exit-on-file PATH`: the sidecar drains and exits once PATH exists. On Kubernetes without native sidecars
 * (< 1.29) this lets a Job's Pod complete: the application writes the file in an emptyDir shared with the sidecar
 * when it is done (docs/deploy.md). Checked every `intervalMs` (a stat; no watch, so it works on any volume).
 */
import { existsSync } from 'node:fs';

/** Calls `onFile` once when `path` exists; returns the stop function. */
export function watchExitFile(path: string, onFile: () => void, intervalMs = 1000): () => void {
  const timer = setInterval(() => {
    if (!existsSync(path)) return;
    clearInterval(timer);
    onFile();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
