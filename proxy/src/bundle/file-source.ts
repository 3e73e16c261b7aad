/**
 * Standalone mode: the bundle comes from a file. Loaded once at start (an invalid file stops the start), reloaded
 * on SIGHUP, on `reload()` and — with --watch — when the file changes; an invalid reload is rejected and the old
 * bundle keeps serving.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { ProxyError } from '../errors.js';
import { describeIssues, loadBundleFile } from './bundle-file.js';
import type { BundleHolder, ReloadResult } from './bundle-holder.js';

/** The bundle file as the source of bundles. */
export class FileSource {
  private reloading: Promise<ReloadResult> | undefined;
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly file: string,
    private readonly holder: BundleHolder,
    private readonly log: Logger,
  ) {}

  /** Applies the file; throws `PROXY_BUNDLE_INVALID` when it is invalid or cannot be enforced. */
  async start(): Promise<void> {
    const first = await loadBundleFile(this.file);
    if (!first.ok) throw new ProxyError('PROXY_BUNDLE_INVALID', `bundle ${this.file} is invalid: ${describeIssues(first.issues)}`);
    const r = await this.holder.apply(first.bundle, this.file);
    if (!r.applied) throw new ProxyError('PROXY_BUNDLE_INVALID', `bundle ${this.file} cannot be enforced: ${r.reason}`);
  }

  /** Re-reads the file. Coalesced: a reload requested while one runs waits for it and then runs once more. */
  reload(): Promise<ReloadResult> {
    const run = async (): Promise<ReloadResult> => {
      const r = await loadBundleFile(this.file);
      return r.ok ? this.holder.apply(r.bundle, this.file) : this.holder.reject(describeIssues(r.issues));
    };
    const p = (this.reloading ?? Promise.resolve()).then(run, run);
    this.reloading = p;
    return p;
  }

  /** Reloads when the file changes (debounced 150 ms). */
  watch(): void {
    let timer: NodeJS.Timeout | undefined;
    const name = basename(this.file);
    // Watch the directory: editors and `mv` replace the file, which a file watch would lose.
    this.watcher = watch(dirname(this.file), (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), 150);
    });
    this.watcher.on('error', (e) => this.log.warn({ err: e }, 'bundle watch failed; SIGHUP still reloads'));
  }

  /** Stops watching. */
  close(): void {
    this.watcher?.close();
  }
}
