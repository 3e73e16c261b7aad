/** The last applied bundle on disk (`${cacheDir}/${service}.bundle.jws`), so a restart without the control plane can start. */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';

/** The cache file of a service's last applied bundle. */
export function bundleCachePath(cacheDir: string, service: string): string {
  return join(cacheDir, `${service}.bundle.jws`);
}

/** Writes the signed bundle atomically (temp file, fsync, rename); a failure is logged, not thrown. */
export async function writeBundleCache(cachePath: string, jws: string, log: Logger): Promise<void> {
  const tmp = `${cachePath}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await mkdir(dirname(cachePath), { recursive: true });
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(jws, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, cachePath);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    log.warn({ err: e, path: cachePath }, 'cannot write the bundle cache; a restart without the control plane would not find this bundle');
  }
}

/** Reads the cached signed bundle (not verified here). */
export async function readBundleCache(cachePath: string): Promise<{ ok: true; jws: string } | { ok: false; message: string }> {
  try {
    return { ok: true, jws: (await readFile(cachePath, 'utf8')).trim() };
  } catch (e) {
    return { ok: false, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no cached bundle' : (e as Error).message };
  }
}
