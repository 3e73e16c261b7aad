/** Reloads the traffic server's certificate when `--tls-cert`/`--tls-key` change (`watchTlsFiles` of cli-config). */
import type { Server } from 'node:http';
import type { Server as TlsServer } from 'node:tls';
import { watchTlsFiles, type TlsFilesReloader } from '@agentcore/cli-config';
import type { Logger } from 'pino';
import type { ProxyConfig } from '../config.js';

/** Starts reloading when the sidecar serves HTTPS; undefined otherwise. */
export function reloadTls(server: Server, config: ProxyConfig, log: Logger): TlsFilesReloader | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  const tls = server as unknown as TlsServer;
  return watchTlsFiles({
    certFile: config.tlsCert,
    keyFile: config.tlsKey,
    intervalMs: config.tlsReloadIntervalMs,
    apply: (pair) => tls.setSecureContext({ ...pair, minVersion: config.tlsMinVersion }),
    onReload: (info) => log.info({ tls_cert: config.tlsCert, ...info }, 'TLS certificate reloaded; new connections use it'),
    onError: (err) => log.error({ tls_cert: config.tlsCert, err: err.message }, 'TLS certificate not reloaded; the previous one keeps serving'),
  });
}
