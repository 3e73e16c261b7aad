/**
 * The TLS certificate and key files named by `--tls-cert`/`--tls-key`, reloaded when they change (as cert-manager
 * rotates a mounted Secret: the files are swapped through a `..data` symlink in their directory). The directory is
 * watched and the files are also re-read every `intervalMs`; a changed pair is checked (PEM parses, key matches
 * the certificate, not expired) before it replaces the server's secure context, so open connections keep their
 * session and new ones get the new certificate. A bad pair is refused and the old one keeps serving.
 */
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** What to reload and whom to tell. */
export interface TlsFilesOptions {
  certFile: string;
  keyFile: string;
  /** how often the files are re-read besides the directory watch (default 60 s) */
  intervalMs?: number;
  /** installs the new pair (e.g. `server.setSecureContext`) */
  apply(pair: { cert: Buffer; key: Buffer }): void;
  /** a new certificate is serving */
  onReload?(info: { fingerprint256: string; serialNumber: string; validTo: string }): void;
  /** a changed pair was refused; the old one keeps serving */
  onError?(err: Error): void;
}

/** A running reloader. */
export interface TlsFilesReloader {
  /** reads the files now; true when a new pair was applied */
  check(): boolean;
  stop(): void;
}

/** Checks a certificate/key pair; returns the certificate or throws a readable error. */
export function checkTlsPair(cert: Buffer, key: Buffer, extra: SecureContextOptions = {}): X509Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (e) {
    throw new Error(`the certificate is not a PEM certificate (${(e as Error).message})`, { cause: e });
  }
  if (Date.parse(x509.validTo) < Date.now()) throw new Error(`the certificate expired on ${x509.validTo}`);
  try {
    createSecureContext({ ...extra, cert, key });
  } catch (e) {
    throw new Error(`the key does not fit the certificate or is not a PEM key (${(e as Error).message})`, { cause: e });
  }
  return x509;
}

/** Starts watching; the files as they are now are taken as the pair already serving. */
export function watchTlsFiles(o: TlsFilesOptions): TlsFilesReloader {
  const read = (): [Buffer, Buffer] => [readFileSync(o.certFile), readFileSync(o.keyFile)];
  let [cert, key] = read();
  let stopped = false;
  const check = (): boolean => {
    if (stopped) return false;
    let next: [Buffer, Buffer];
    try {
      next = read();
    } catch (e) {
      o.onError?.(new Error(`cannot read the TLS files: ${(e as Error).message}`, { cause: e }));
      return false;
    }
    if (next[0].equals(cert) && next[1].equals(key)) return false;
    try {
      const x509 = checkTlsPair(next[0], next[1]);
      o.apply({ cert: next[0], key: next[1] });
      [cert, key] = next;
      o.onReload?.({ fingerprint256: x509.fingerprint256, serialNumber: x509.serialNumber, validTo: x509.validTo });
      return true;
    } catch (e) {
      // Remembered so a bad pair is reported once, not on every tick; a fixed pair differs again and is applied.
      [cert, key] = next;
      o.onError?.(e as Error);
      return false;
    }
  };
  // A rotation writes two files (or swaps a symlink): wait for the writes to settle before reading.
  let pending: NodeJS.Timeout | undefined;
  const soon = (): void => {
    if (pending) clearTimeout(pending);
    pending = setTimeout(() => void check(), 200);
    pending.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(o.certFile), dirname(o.keyFile)])) {
    try {
      const w = watch(dir, soon);
      w.on('error', () => w.close());
      w.unref();
      watchers.push(w);
    } catch {
      // no watch support here: the periodic check still reloads
    }
  }
  const timer = setInterval(check, o.intervalMs ?? 60_000);
  timer.unref();
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      for (const w of watchers) w.close();
    },
  };
}
