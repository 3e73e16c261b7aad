#!/usr/bin/env node
/** `agentcore-demo-backend --port 3000 --host 127.0.0.1 [--quiet]`: runs the demo agents backend until SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { startDemoBackend } from './demo-backend.js';

const USAGE = `usage: agentcore-demo-backend [--port 3000] [--host 127.0.0.1] [--quiet]

  --port   TCP port to listen on (0 = any free port; default 3000)
  --host   address to bind (default 127.0.0.1)
  --quiet  no per-request log line on stdout`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '3000' },
        host: { type: 'string', default: '127.0.0.1' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be an integer from 0 to 65535, got "${values.port}"\n`);
    process.exit(2);
  }
  // The process keeps only the last 1,000 requests: nothing reads them outside tests.
  const backend = await startDemoBackend({ port, host: values.host, quiet: values.quiet, recordLimit: 1000 });
  process.stdout.write(`agentcore-demo-backend listening on ${backend.url}\n`);
  const stop = (): void => {
    backend.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`agentcore-demo-backend: ${(e as Error).message}\n`);
  process.exit(1);
});
