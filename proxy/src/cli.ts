#!/usr/bin/env node
/** `agentcore-proxy`: the sidecar's command line. */
import cluster from 'node:cluster';
import { runPrimary, runWorker } from './cluster.js';
import { helpText, loadConfig } from './config.js';

const r = loadConfig(process.argv.slice(2), process.env);
if (!r.ok) {
  if (r.help) {
    process.stdout.write(helpText() + '\n');
    process.exit(0);
  }
  process.stderr.write(`agentcore-proxy: invalid configuration\n${r.errors.map((e) => `  - ${e}`).join('\n')}\nRun agentcore-proxy --help for the options.\n`);
  process.exit(2);
}
// one process: the sidecar itself; --workers: the primary only hands out connections and aggregates (it never loads
// the request path), each worker runs the sidecar
const started =
  r.config.workers > 1
    ? cluster.isPrimary
      ? runPrimary(r.config)
      : runWorker(r.config)
    : import('./start-proxy.js').then(({ startProxy }) => startProxy(r.config, { handleSignals: true }));
started.catch((e: Error) => {
  process.stderr.write(`agentcore-proxy: cannot start: ${e.message}\n`);
  process.exit(1);
});
