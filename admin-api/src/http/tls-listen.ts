/**
 * The admin API over HTTPS (`--tls-cert`/`--tls-key`): TLS 1.3 only, HSTS on every answer, and the certificate
 * reloaded when its files change (as cert-manager rotates a Secret) without dropping open connections.
 */
import type { RequestListener } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { watchTlsFiles, type TlsFilesReloader } from '@agentcore/cli-config';
import { readFileSync } from 'node:fs';

/** The TLS settings of the admin API. */
export interface AdminTls {
  certFile: string;
  keyFile: string;
  reloadIntervalMs: number;
}

/** An HTTPS server for `app` with its certificate reloader. */
export function createTlsServer(app: RequestListener, tls: AdminTls, log: Logger): { server: HttpsServer; certs: TlsFilesReloader } {
  const server = createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.3' }, app);
  const certs = watchTlsFiles({
    certFile: tls.certFile,
    keyFile: tls.keyFile,
    intervalMs: tls.reloadIntervalMs,
    apply: (pair) => server.setSecureContext({ ...pair, minVersion: 'TLSv1.3' }),
    onReload: (info) => log.info({ tls_cert: tls.certFile, ...info }, 'TLS certificate reloaded; new connections use it'),
    onError: (err) => log.error({ tls_cert: tls.certFile, err: err.message }, 'TLS certificate not reloaded; the previous one keeps serving'),
  });
  return { server, certs };
}

/** Sends `Strict-Transport-Security` (one year, subdomains) on every answer of an HTTPS admin API. */
export const hsts: RequestHandler = (_req, res, next) => {
  res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
  next();
};
