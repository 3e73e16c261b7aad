#!/usr/bin/env node
// Compose launcher: the sidecar's credential comes from a file the seed job wrote (compose has no
// Secret objects); it is put into AGENTCORE_PROXY_TOKEN and the built sidecar CLI runs in this same
// process with the same arguments, so signals reach it directly. In Kubernetes the token comes from a
// Secret as an environment variable instead and this launcher is not used.
import { readFileSync } from 'node:fs';

const file = process.env.AGENTCORE_PROXY_TOKEN_FILE ?? '/run/agentcore/sidecar-token';
try {
  process.env.AGENTCORE_PROXY_TOKEN = readFileSync(file, 'utf8').trim();
} catch (e) {
  console.error(`sidecar: cannot read the sidecar credential from ${file}: ${e.message}`);
  process.exit(2);
}
await import('../../proxy/dist/cli.js');
