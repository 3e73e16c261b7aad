#!/usr/bin/env node
/** `agentcore-proxy`: the sidecar's command line. */
import cluster from 'node:cluster';
import { runPrimary, runWorker } from './cluster.js';
import { helpText, loadConfig } from './config.js';
import { startProxy } from './start-proxy.js';

const r = loadConfig(process.argv.slice(2), process.env);
if (!r.ok) {
  if (r.help) {
    process.stdout.write(helpText() + '\n');
    process.exit(0);
  }
  process.stderr.write(`agentcore-proxy: invalid configuration\n${r.errors.map((e) => `  - ${e}`).join('\n')}\nRun agentcore-proxy --help for the options.\n`);
  process.exit(2);
}
const started = r.config.workers > 1 ? (cluster.isPrimary ? runPrimary(r.config) : runWorker(r.config)) : startProxy(r.config, { handleSignals: true });
started.catch((e: Error) => {
  process.stderr.write(`agentcore-proxy: cannot start: ${e.message}\n`);
  process.exit(1);
});
